"""``audit_bank`` on the real seed banks, and on a broken one."""

import pytest
from django.core.management import CommandError, call_command

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Question, Section
from quizzes.rules import minimum_questions
from quizzes.services.audit import bank_audit
from tests.factories import QuestionFactory, SectionFactory


def test_seed_banks_pass_the_audit(seeded, capsys):
    """The seed banks are clean, and without drafts lacking a quote the output is
    the published audit's alone."""
    call_command("audit_bank")
    assert capsys.readouterr().out.splitlines() == [
        "audit clean: 98 published questions"
    ]


def _audit(capsys) -> tuple[str, str]:
    """Run ``audit_bank``; its output and its verdict (the last line or error)."""
    try:
        call_command("audit_bank")
    except CommandError as exc:
        return capsys.readouterr().out, str(exc)
    out = capsys.readouterr().out
    return out, out.rstrip().splitlines()[-1]


def test_seed_banks_meet_every_section_minimum_and_ninety_in_all(seeded):
    published = Question.objects.filter(status=QuestionStatus.PUBLISHED)
    assert published.count() >= 90
    for section in Section.objects.filter(level=1):
        count = published.filter(
            section__in=[section, *section.subsections.all()]
        ).count()
        assert count >= minimum_questions(section.slug), section.title


def test_seed_banks_mix_kinds_mostly_single(seeded):
    kinds = {k: Question.objects.filter(kind=k).count() for k in QuestionKind.values}
    assert kinds["single"] > kinds["multiple"] + kinds["true_false"]
    assert kinds["multiple"] > 0 and kinds["true_false"] > 0


def test_seed_keys_are_spread_over_positions(seeded):
    positions = [
        [c.is_correct for c in q.choices.all()].index(True)
        for q in Question.objects.filter(kind=QuestionKind.SINGLE).prefetch_related(
            "choices"
        )
    ]
    for position in set(positions):
        assert positions.count(position) / len(positions) < 0.4


def test_audit_fails_and_lists_the_violation(seeded, capsys):
    """One broken key is one more violation than the seed banks have (none, once
    they are rewritten for issue 13), listed with what is wrong."""
    before = len(bank_audit())
    question = Question.objects.filter(kind=QuestionKind.SINGLE).first()
    question.choices.update(is_correct=True)
    with pytest.raises(CommandError, match=f"^{before + 1} violation"):
        call_command("audit_bank")
    assert "needs exactly one correct choice" in capsys.readouterr().out


def test_running_the_seed_twice_duplicates_nothing(seeded):
    counts = (Section.objects.count(), Question.objects.count())
    call_command(
        "import_document",
        "fixtures/ketamine-clinical-overview.md",
        title="Ketamine Clinical Overview",
    )
    call_command("load_banks")
    assert (Section.objects.count(), Question.objects.count()) == counts


def test_drafts_lacking_a_quote_are_listed_with_their_best_suggestion(seeded, capsys):
    """Each imported draft without a verbatim quote gets one line: document, draft
    id and name, the problem, and the best sentence of its section with its score.
    The audit still passes: trainees never see drafts."""
    section = Section.objects.get(slug="routes-of-ketamine-administration-an-overview")
    model = Question.objects.filter(section=section).first()
    _, clean_or_not = _audit(capsys)
    empty = QuestionFactory(
        section=section,
        status=QuestionStatus.DRAFT,
        name="IM route",
        stem=model.stem,
        explanation=model.explanation,
        source_quote="",
    )
    near_miss = QuestionFactory(
        section=section,
        status=QuestionStatus.DRAFT,
        source_quote=model.source_quote.replace(".", "!"),
    )
    out, verdict = _audit(capsys)
    assert "2 draft(s) lack a verbatim source quote (not violations" in out
    assert (
        f"ketamine-clinical-overview: draft {empty.pk} “IM route”: no source quote; "
        f"best suggestion ("
    ) in out
    assert f"): “{model.source_quote}”" in out
    assert f"draft {near_miss.pk}: quote not verbatim; best suggestion (" in out
    assert verdict == clean_or_not


def test_drafts_lacking_a_quote_do_not_change_a_failing_audit(seeded, capsys):
    """A violation among published questions still fails with the same count."""
    before = len(bank_audit())
    QuestionFactory(status=QuestionStatus.DRAFT, source_quote="")
    question = Question.objects.filter(kind=QuestionKind.SINGLE).first()
    question.choices.update(is_correct=True)
    with pytest.raises(CommandError, match=rf"^{before + 1} violation"):
        call_command("audit_bank")
    assert "1 draft(s) lack a verbatim source quote" in capsys.readouterr().out


def test_a_clean_bank_says_nothing_about_drafts(seeded, capsys):
    """Without such drafts the output is the published audit's alone: its
    violations, then its verdict."""
    problems = bank_audit()
    out, _ = _audit(capsys)
    assert out.splitlines() == "\n".join(problems).splitlines() + (
        [] if problems else ["audit clean: 98 published questions"]
    )


def test_summary_prints_counts_per_code_and_the_acknowledged_lines(db, capsys):
    """``--summary`` adds the table of counts; an acknowledged warning is listed
    with its reason and does not count as a violation."""
    section = SectionFactory(slug="overview", title="Overview")
    QuestionFactory(
        section=section,
        ref="overview-01",
        stem="According to the overview, which route fits without IV access?",
        acknowledged_warnings={"stem-refers-to-text": "the overview is a protocol"},
    )
    # It fails on the bank's size (1 of at least 4), not on the warning.
    with pytest.raises(CommandError, match=r"^1 violation"):
        call_command("audit_bank", "--summary")
    out = capsys.readouterr().out
    assert (
        f"acknowledged: {section.document.slug}: overview-01: the stem refers to "
        "the reading"
    ) in out
    assert "— “the overview is a protocol”" in out
    assert "code                  open  acknowledged" in out
    assert "stem-refers-to-text      0             1" in out
    assert "published questions with an open problem: 0 of 1" in out
