"""``import_document`` from the command line: one-line refusals, non-zero exits."""

import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from quizzes.models import SourceDocument
from tests.conftest import ROOT, SEDATION_NOTES, SEED_MARKDOWN

pytestmark = pytest.mark.django_db


def test_import_reports_the_sections_it_created(capsys):
    call_command(
        "import_document", str(SEED_MARKDOWN), title="Ketamine Clinical Overview"
    )
    out = capsys.readouterr().out
    assert "created (ketamine-clinical-overview); 65 sections, 10 top-level" in out
    call_command(
        "import_document", str(SEED_MARKDOWN), title="Ketamine Clinical Overview"
    )
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "is empty"), (b"\xff\xfe\x00x", "binary"), (b"na\xefve", "not UTF-8")],
)
def test_bad_files_raise_a_command_error_and_write_nothing(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=reason):
        call_command("import_document", str(path))
    assert not SourceDocument.objects.exists()


def test_missing_file_exits_non_zero_with_a_one_line_reason(tmp_path):
    """Run as an operator would: the real process, its exit code and its stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", "import_document", str(tmp_path / "missing.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "quizsite.settings.test",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {tmp_path / 'missing.md'}: no such file"
    ]


# Issue 10: the same heading choices as the admin's preview, from the command line.


def test_dry_run_lists_sections_and_missed_headings_and_writes_nothing(capsys):
    call_command("import_document", str(SEDATION_NOTES), dry_run=True)
    out = capsys.readouterr().out
    assert not SourceDocument.objects.exists()
    assert out.splitlines() == [
        "Dry run, nothing written. Sedation Notes (sedation-notes): new document; "
        "2 sections (2 new, 0 changed, 0 removed)",
        "  line    1  Ketamine for Procedural Sedation [new]: Ketamine gives "
        "dissociative sedation while airway reflexes and breathing are kept.",
        "  line   10  Recovery [new]: Discharge once the patient is alert and walking "
        "as before the procedure.",
        "Lines that look like headings but were not taken:",
        "  line    4  How it is given (sentence case: too few capitalised words)",
        "  line    7  Monitoring: (ends with a colon)",
    ]


def test_an_import_that_missed_headings_says_which_lines_look_like_headings(capsys):
    call_command("import_document", str(SEDATION_NOTES))
    out = capsys.readouterr().out
    assert "Lines that look like headings but were not taken:" in out
    assert "  line    7  Monitoring: (ends with a colon)" in out


@pytest.mark.parametrize(
    "choice",
    [["--heading-lines", "4,7"], ["--heading-pattern", r"How it is given|\w+:"]],
    ids=["lines", "pattern"],
)
def test_heading_lines_or_a_pattern_make_the_missed_headings_sections(capsys, choice):
    call_command("import_document", str(SEDATION_NOTES), *choice)
    document = SourceDocument.objects.get()
    assert list(document.sections.values_list("title", flat=True)) == [
        "Ketamine for Procedural Sedation",
        "How it is given",
        "Monitoring",
        "Recovery",
    ]
    assert "not taken" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (
            ["--heading-lines", "4,70"],
            "heading choice: line 70 is out of range: the file has 11 lines",
        ),
        (
            ["--heading-pattern", "(", "--dry-run"],
            "the heading pattern “(” is not a valid regular expression",
        ),
    ],
    ids=["line-out-of-range", "bad-regex"],
)
def test_a_bad_heading_choice_is_a_command_error_and_writes_nothing(choice, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_document", str(SEDATION_NOTES), *choice)
    assert not SourceDocument.objects.exists()


def test_heading_lines_that_are_not_numbers_are_refused_by_the_parser(capsys):
    with pytest.raises(CommandError, match="“x” is not a line number"):
        call_command("import_document", str(SEDATION_NOTES), "--heading-lines", "4,x")


def test_dry_run_marks_the_lines_titled_like_a_stored_section_it_would_remove(capsys):
    call_command("import_document", str(SEDATION_NOTES), "--heading-lines", "7")
    capsys.readouterr()
    call_command("import_document", str(SEDATION_NOTES), dry_run=True)
    out = capsys.readouterr().out
    assert (
        "  line    7  Monitoring: (ends with a colon; the title of a stored section "
        "that would be removed)"
    ) in out.splitlines()
