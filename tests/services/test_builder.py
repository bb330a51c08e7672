"""The custom test builder: pools from the trainee's own history, bounds, the draw.

History is built through the real services with a fixed clock; draws use a seeded
``random.Random``. Section S (with subsection S.1) holds q1, q2 (in S) and q3 (in
S.1); section T holds t1; q5 in S is a draft.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import RestrictedError

from quizzes.builder import PoolCounts
from quizzes.choices import AttemptState, QuestionStatus, QuizMode
from quizzes.models import Quiz
from quizzes.services.attempts import (
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.personal_tests import (
    BuildRefused,
    builder_pool_counts,
    personal_test_build,
    personal_test_create,
)
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    SourceDocumentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def key(question):
    return list(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong(question):
    return [question.choices.filter(is_correct=False).first().pk]


def take(trainee, quiz, started, picks, flags=(), finish=True):
    """Sit ``quiz``: save ``picks`` ({question: choice ids}), flag ``flags``."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=started).attempt
    for question, chosen in picks.items():
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=chosen,
            flagged=question in flags,
            now=started + timedelta(minutes=1),
        )
    for question in flags:
        if question not in picks:
            answer_save(
                attempt=attempt,
                question_id=question.pk,
                choice_ids=[],
                flagged=True,
                now=started + timedelta(minutes=1),
            )
    if finish:
        attempt_finish(attempt=attempt, now=started + timedelta(minutes=2))
    return attempt


class Bank:
    def __init__(self):
        document = SourceDocumentFactory(title="Handbook")
        self.s = SectionFactory(document=document, order=1, title="S")
        self.s1 = SectionFactory(
            document=document, order=2, level=2, parent=self.s, title="S.1"
        )
        self.t = SectionFactory(document=document, order=3, title="T")
        self.q1 = QuestionFactory(section=self.s)
        self.q2 = QuestionFactory(section=self.s)
        self.q3 = QuestionFactory(section=self.s1)
        self.t1 = QuestionFactory(section=self.t)
        self.q5 = QuestionFactory(
            section=self.s, status=QuestionStatus.DRAFT, source_quote=""
        )
        self.x = QuizFactory(
            title="X",
            attempts_allowed=None,
            time_limit=None,
            with_questions=[self.q1, self.q2, self.q3, self.t1],
        )
        self.trainee = UserFactory(username="ana")
        self.other = UserFactory(username="ben")


@pytest.fixture
def bank(db):
    return Bank()


def build(bank, **kwargs):
    args = {
        "trainee": bank.trainee,
        "section_ids": [bank.s.pk],
        "count": 10,
        "mode": "tutor",
        "pools": ["all"],
        "now": NOW,
        "rng": random.Random(7),
    }
    return personal_test_build(**(args | kwargs))


def test_unused_are_the_questions_never_answered_in_any_attempt(bank):
    """Seen but left blank is still unused; answered once, right or wrong, is not."""
    take(bank.trainee, bank.x, NOW - timedelta(days=2), {bank.q1: wrong(bank.q1)})
    take(bank.trainee, bank.x, NOW - timedelta(days=1), {bank.q2: key(bank.q2)})
    result = build(bank, pools=["unused"])
    assert result.question_ids == [bank.q3.pk]


def test_incorrect_follows_the_last_scored_answer_only(bank):
    """q1 wrong then right is no longer incorrect; q2 right then wrong is; q3
    left blank in a finished attempt scores 0 and is incorrect."""
    take(
        bank.trainee,
        bank.x,
        NOW - timedelta(days=2),
        {bank.q1: wrong(bank.q1), bank.q2: key(bank.q2)},
    )
    take(
        bank.trainee,
        bank.x,
        NOW - timedelta(days=1),
        {bank.q1: key(bank.q1), bank.q2: wrong(bank.q2)},
    )
    result = build(bank, pools=["incorrect"])
    assert sorted(result.question_ids) == sorted([bank.q2.pk, bank.q3.pk])


def test_an_answer_in_progress_does_not_change_the_incorrect_pool(bank):
    """Only scored answers count: a new, unfinished attempt leaves q1 incorrect."""
    take(bank.trainee, bank.x, NOW - timedelta(days=2), {bank.q1: wrong(bank.q1)})
    take(
        bank.trainee,
        bank.x,
        NOW - timedelta(days=1),
        {bank.q1: key(bank.q1)},
        finish=False,
    )
    counts = builder_pool_counts(trainee=bank.trainee)[bank.s.pk]
    assert counts.incorrect == 3  # q1 (last scored: wrong), q2 and q3 (blank: 0)


def test_flagged_follows_the_latest_answer(bank):
    """q1 flagged then unflagged is out; q2 flagged in the latest is in."""
    take(bank.trainee, bank.x, NOW - timedelta(days=2), {}, flags=[bank.q1])
    take(bank.trainee, bank.x, NOW - timedelta(days=1), {}, flags=[bank.q2])
    result = build(bank, pools=["flagged"])
    assert result.question_ids == [bank.q2.pk]


def test_pools_combine_as_a_union_without_repeats(bank):
    """q1 is both incorrect and flagged, q3 unused: each appears once."""
    take(
        bank.trainee,
        bank.x,
        NOW - timedelta(days=1),
        {bank.q1: wrong(bank.q1), bank.q2: key(bank.q2), bank.q3: key(bank.q3)},
        flags=[bank.q1],
    )
    result = build(bank, pools=["incorrect", "flagged", "unused"])
    assert result.question_ids == [bank.q1.pk]
    result = build(bank, pools=["incorrect", "flagged", "all"])
    assert sorted(result.question_ids) == sorted([bank.q1.pk, bank.q2.pk, bank.q3.pk])


def test_a_section_brings_its_subsections_and_only_published_questions(bank):
    """S gives q1, q2 and q3 (in S.1), never the draft q5 nor T's t1."""
    result = build(bank, pools=["all"])
    assert sorted(result.question_ids) == sorted([bank.q1.pk, bank.q2.pk, bank.q3.pk])


def test_the_draw_is_random_by_the_injected_rng_and_never_repeats(bank):
    """Two questions of three, by a seeded rng: the same seed, the same test."""
    first = build(bank, count=2, rng=random.Random(3)).question_ids
    again = build(bank, count=2, rng=random.Random(3)).question_ids
    assert first == again
    assert len(set(first)) == 2


def test_a_smaller_pool_builds_a_shorter_test_and_says_so(bank):
    """Asked for 10 of 3 matching questions: a test of 3, with the notice."""
    result = build(bank, count=10)
    assert len(result.question_ids) == 3
    assert result.shortfall == "Only 3 questions match: your test has 3."
    assert build(bank, count=3).shortfall == ""


def test_an_empty_pool_is_refused_and_creates_nothing(bank):
    """Nothing flagged: a clear error on the pools, no quiz."""
    with pytest.raises(BuildRefused) as refused:
        build(bank, pools=["flagged"])
    assert "pools" in refused.value.problems
    assert not Quiz.objects.filter(owner=bank.trainee).exists()


@pytest.mark.parametrize("count", [0, 101, None])
def test_a_count_outside_1_to_100_is_refused(bank, count):
    with pytest.raises(BuildRefused) as refused:
        build(bank, count=count)
    assert refused.value.problems == {"count": "Ask for 1 to 100 questions."}


@pytest.mark.parametrize("seconds", [9, 601, None])
def test_seconds_per_question_outside_10_to_600_is_refused(bank, seconds):
    with pytest.raises(BuildRefused) as refused:
        build(bank, mode="timed", seconds_per_question=seconds)
    assert set(refused.value.problems) == {"seconds_per_question"}


def test_no_section_an_unknown_section_or_pool_or_mode_are_refused(bank):
    with pytest.raises(BuildRefused) as refused:
        build(bank, section_ids=[], pools=["nope"], mode="exam")
    assert set(refused.value.problems) == {"sections", "pools", "mode"}
    with pytest.raises(BuildRefused) as refused:
        build(bank, section_ids=[bank.s1.pk])  # a subsection: not offered
    assert set(refused.value.problems) == {"sections"}


def test_a_timed_test_allows_its_seconds_per_question(bank):
    """3 questions × 90 s by default; 3 × 20 s when asked."""
    quiz = build(bank, mode="timed").quiz
    assert (quiz.mode, quiz.time_limit) == (QuizMode.EXAM, timedelta(seconds=270))
    quiz = build(bank, mode="timed", seconds_per_question=20).quiz
    assert quiz.time_limit == timedelta(seconds=60)


def test_a_tutor_test_is_untimed_one_attempt_and_reviewed_at_once(bank):
    quiz = build(bank).quiz
    assert (quiz.mode, quiz.time_limit, quiz.attempts_allowed) == (
        QuizMode.TUTOR,
        None,
        1,
    )
    assert quiz.owner == bank.trainee
    assert not quiz.draws.exists()


def test_other_trainees_history_is_ignored(bank):
    """Ben's wrong and flagged answers leave Ana's pools as they were."""
    take(
        bank.other,
        bank.x,
        NOW - timedelta(days=1),
        {bank.q1: wrong(bank.q1)},
        flags=[bank.q2],
    )
    counts = builder_pool_counts(trainee=bank.trainee)
    assert counts[bank.s.pk] == PoolCounts(unused=3, incorrect=0, flagged=0, total=3)


def test_pool_counts_per_top_level_section(bank):
    take(
        bank.trainee,
        bank.x,
        NOW - timedelta(days=1),
        {bank.q1: wrong(bank.q1), bank.q2: key(bank.q2), bank.t1: key(bank.t1)},
        flags=[bank.q2],
    )
    counts = builder_pool_counts(trainee=bank.trainee)
    # q3 was left blank (scored 0): incorrect, and still unused.
    assert counts[bank.s.pk] == PoolCounts(unused=1, incorrect=2, flagged=1, total=3)
    assert counts[bank.t.pk] == PoolCounts(unused=0, incorrect=0, flagged=0, total=1)
    assert counts[bank.s.pk].text() == "1 unused · 2 incorrect · 1 flagged"


def test_pool_counts_take_the_same_queries_for_a_long_history(
    bank, django_assert_max_num_queries
):
    """The counts read: top-level sections, published questions, the trainee's
    answers (one row each) — 3 queries for one attempt as for twenty."""
    take(bank.trainee, bank.x, NOW - timedelta(days=30), {bank.q1: key(bank.q1)})
    with django_assert_max_num_queries(3):
        builder_pool_counts(trainee=bank.trainee)
    for day in range(1, 20):
        take(bank.trainee, bank.x, NOW - timedelta(days=day), {bank.q2: key(bank.q2)})
    with django_assert_max_num_queries(3):
        builder_pool_counts(trainee=bank.trainee)


def test_create_keeps_the_order_given_and_the_attempt_asks_it(bank):
    """The review-due session asks its questions soonest-due first."""
    order = [bank.t1.pk, bank.q3.pk, bank.q1.pk]
    quiz = personal_test_create(
        trainee=bank.trainee, question_ids=order, mode="tutor", title="Due", now=NOW
    )
    attempt = attempt_start(trainee=bank.trainee, quiz=quiz, now=NOW).attempt
    asked = list(attempt.answers.order_by("position").values_list("question_id"))
    assert [q for (q,) in asked] == order
    assert attempt.state == AttemptState.IN_PROGRESS


def test_create_refuses_a_repeated_question(bank):
    with pytest.raises(ValueError):
        personal_test_create(
            trainee=bank.trainee,
            question_ids=[bank.q1.pk, bank.q1.pk],
            mode="tutor",
            title="Twice",
            now=NOW,
        )


def test_deleting_a_trainee_deletes_their_personal_tests_and_attempts(bank):
    """A trainee can still be deleted: their own tests go with their attempts."""
    quiz = build(bank).quiz
    attempt_start(trainee=bank.trainee, quiz=quiz, now=NOW)
    bank.trainee.delete()
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


def test_an_assigned_quiz_with_attempts_still_cannot_be_deleted(bank):
    take(bank.trainee, bank.x, NOW, {bank.q1: key(bank.q1)})
    with pytest.raises(RestrictedError):
        bank.x.delete()


def test_the_grouped_pool_states_agree_with_the_answer_by_answer_fold(bank):
    """The pool counts read one row per question (the database folds the answers);
    the draw folds answer by answer. Over a mixed history (wrong then right, right
    then wrong, blank, flagged then not, an attempt in progress) both give every
    question the same unused, incorrect and flagged."""
    from quizzes.services.personal_tests import _histories, _question_states

    day = timedelta(days=1)
    take(
        bank.trainee,
        bank.x,
        NOW - 3 * day,
        {bank.q1: wrong(bank.q1), bank.q2: key(bank.q2)},
        flags=[bank.q1],
    )
    take(
        bank.trainee,
        bank.x,
        NOW - 2 * day,
        {bank.q1: key(bank.q1), bank.q2: wrong(bank.q2)},
        flags=[bank.t1],
    )
    take(
        bank.trainee,
        bank.x,
        NOW - day,
        {bank.q1: wrong(bank.q1)},
        flags=[bank.t1],
        finish=False,
    )
    take(bank.other, bank.x, NOW - day, {bank.q3: key(bank.q3)}, flags=[bank.q3])
    folded = _histories(trainee=bank.trainee)
    grouped = _question_states(trainee=bank.trainee)
    assert set(folded) == set(grouped)
    for question_id, history in folded.items():
        state = grouped[question_id]
        assert (history.answered, history.incorrect, history.last_flagged) == (
            state.answered,
            state.incorrect,
            state.last_flagged,
        ), question_id
    assert grouped[bank.q2.pk].incorrect and not grouped[bank.q1.pk].incorrect
    assert grouped[bank.t1.pk].last_flagged and not grouped[bank.q1.pk].last_flagged
