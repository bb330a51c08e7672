"""The item-analysis matrix of a quiz, read from its attempts."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from quizzes.choices import QuestionKind
from quizzes.models import Question, QuizDraw
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.item_analysis import (
    question_item_figures,
    quiz_item_analysis,
    quiz_item_matrix,
    quiz_item_report,
)
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sit(quiz, trainee, picks, *, finish=True, now=T0, rng=None):
    """One attempt through the real services: ``picks`` maps a question to the
    indexes of the choices picked (a question left out stays unanswered)."""
    attempt = attempt_start(
        trainee=trainee, quiz=quiz, now=now, rng=rng or random.Random(1)
    ).attempt
    for question, indexes in picks.items():
        if not attempt.answers.filter(question=question).exists():
            continue
        choices = list(question.choices.order_by("order"))
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=[choices[i].pk for i in indexes],
            flagged=None,
            now=now,
        )
    if finish:
        attempt = attempt_finish(attempt=attempt, now=now + timedelta(minutes=1))
    return attempt


@pytest.fixture
def questions():
    section = SectionFactory()
    return [
        QuestionFactory(section=section, ref="q-single"),
        QuestionFactory(section=section, ref="q-multi", kind=QuestionKind.MULTIPLE),
        QuestionFactory(section=section, ref="q-tf", kind=QuestionKind.TRUE_FALSE),
    ]


@pytest.fixture
def quiz(questions):
    return QuizFactory(with_questions=questions)


def test_each_trainees_first_finished_attempt_is_a_row_unless_all_are_asked(
    quiz, questions
):
    """By default a trainee's first finished attempt only; in-progress attempts never;
    ``all_attempts`` takes every finished one."""
    single, multi, tf = questions
    first, second = UserFactory(), UserFactory()
    a1 = sit(quiz, first, {single: [0], multi: [0, 1], tf: [0]})
    a2 = sit(quiz, first, {single: [1]}, now=T0 + timedelta(hours=1))
    b1 = sit(quiz, second, {single: [0], tf: [1]})
    sit(quiz, UserFactory(), {single: [0]}, finish=False)

    matrix = quiz_item_matrix(quiz=quiz)
    assert matrix.attempt_ids == [a1.pk, b1.pk]
    assert [q.name for q in matrix.questions] == ["q-single", "q-multi", "q-tf"]
    assert matrix.marks == [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]

    marks_only = quiz_item_matrix(quiz=quiz, with_responses=False)
    assert marks_only.marks == matrix.marks and marks_only.responses is None

    everything = quiz_item_matrix(quiz=quiz, all_attempts=True)
    assert everything.attempt_ids == [a1.pk, a2.pk, b1.pk]
    assert everything.marks[1] == [0.0, 0.0, 0.0]


def test_an_unanswered_question_is_a_zero_and_its_picks_are_empty(quiz, questions):
    """A question the attempt had but left blank scores 0 (as in Moodle), and picked
    nothing; it is not a missing cell."""
    single = questions[0]
    sit(quiz, UserFactory(), {single: [2]})
    matrix = quiz_item_matrix(quiz=quiz)
    assert matrix.marks == [[0.0, 0.0, 0.0]]
    picked = single.choices.order_by("order")[2].pk
    assert matrix.responses == [[frozenset({picked}), frozenset(), frozenset()]]


def test_a_question_an_attempt_did_not_draw_is_missing_and_shares_its_pool():
    """A draw of one question from a section of two: the question another attempt
    got is None in this row, not 0, and both carry the draw's pool as their group."""
    fixed = QuestionFactory(ref="fixed")
    pool = SectionFactory(title="Dosing")
    for i in range(2):
        QuestionFactory(section=pool, ref=f"drawn-{i}")
    quiz = QuizFactory(with_questions=[fixed])
    QuizDraw.objects.create(quiz=quiz, section=pool, count=1)
    rows = []
    for seed in range(12):
        attempt = sit(quiz, UserFactory(), {}, rng=random.Random(seed))
        rows.append(set(attempt.answers.values_list("question__ref", flat=True)))
    assert {"drawn-0"} < set().union(*rows) and {"drawn-1"} < set().union(*rows)

    matrix = quiz_item_matrix(quiz=quiz)
    names = [q.name for q in matrix.questions]
    assert names == ["fixed", "drawn-0", "drawn-1"]
    for row, refs in zip(matrix.marks, rows, strict=True):
        assert [cell is not None for cell in row] == [n in refs for n in names]
    groups = [q.group for q in matrix.questions]
    assert groups[0] is None and groups[1] == groups[2] is not None
    assert "Dosing" in groups[1]

    analysis = quiz_item_analysis(quiz=quiz)
    assert sum(q.attempts for q in analysis.questions[1:]) == 12
    # Every attempt scored 0 on both slots: no spread, so no CIC, with the reason.
    assert analysis.quiz.cic is None and analysis.quiz.reasons["cic"]


def test_the_analysis_carries_kinds_and_choices_for_guess_and_distractors(
    quiz, questions
):
    """Random-guess scores follow the kinds; each choice's picks are counted."""
    single, multi, tf = questions
    for index in [0, 0, 1, 2]:
        sit(quiz, UserFactory(), {single: [index], multi: [0], tf: [0]})
    analysis = quiz_item_analysis(quiz=quiz)
    by_name = {q.question: q for q in analysis.questions}
    assert by_name["q-single"].random_guess_score == 0.25
    assert by_name["q-tf"].random_guess_score == 0.5
    assert by_name["q-multi"].random_guess_score is None
    assert [c.picked for c in by_name["q-single"].choices] == [2, 1, 1, 0]
    assert by_name["q-single"].facility == 0.5


def test_the_matrix_takes_a_constant_number_of_queries(
    quiz, questions, django_assert_num_queries
):
    """Six queries however many attempts: the attempts, their answers, the
    questions, their choices, the fixed questions and the draws; a seventh, the
    sections of the drawn documents, when there are draws."""
    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    with django_assert_num_queries(6):
        quiz_item_matrix(quiz=quiz)
    for _ in range(5):
        sit(quiz, UserFactory(), {single: [1]})
    with django_assert_num_queries(6):
        quiz_item_matrix(quiz=quiz)
    QuizDraw.objects.create(quiz=quiz, section=SectionFactory(), count=1)
    with django_assert_num_queries(7):
        quiz_item_matrix(quiz=quiz)


def test_a_quiz_without_finished_attempts_has_an_empty_matrix(quiz):
    """No rows and no columns; the analysis says so rather than failing."""
    matrix = quiz_item_matrix(quiz=quiz)
    assert (matrix.attempt_ids, matrix.marks, matrix.questions) == ([], [], [])
    assert quiz_item_analysis(quiz=quiz).quiz.attempts == 0


# --- the cache ------------------------------------------------------------------


def test_an_unchanged_quiz_is_served_from_the_cache_in_one_query(
    quiz, questions, django_assert_num_queries
):
    """The second read costs one query (the attempts' fingerprint) instead of the
    matrix's six, and returns the same figures, marked as from the cache."""
    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    sit(quiz, UserFactory(), {single: [1]})
    first = quiz_item_report(quiz=quiz)
    assert first.from_cache is False
    with django_assert_num_queries(1):
        again = quiz_item_report(quiz=quiz)
    assert again.from_cache is True
    assert again.analysis == first.analysis
    with django_assert_num_queries(1):
        assert quiz_item_analysis(quiz=quiz) == first.analysis


def test_a_new_finished_attempt_changes_the_cached_analysis(quiz, questions):
    """Finishing an attempt changes the fingerprint: the analysis is recomputed and
    counts it; an attempt still in progress changes nothing."""
    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    assert quiz_item_analysis(quiz=quiz).quiz.attempts == 1
    sit(quiz, UserFactory(), {single: [1]}, finish=False)
    assert quiz_item_report(quiz=quiz).from_cache is True
    sit(quiz, UserFactory(), {single: [1]}, now=T0 + timedelta(hours=1))
    report = quiz_item_report(quiz=quiz)
    assert report.from_cache is False
    assert report.analysis.quiz.attempts == 2


def test_a_deleted_attempt_changes_the_cached_analysis(quiz, questions):
    """Deleting the latest finished attempt brings the count down: recomputed."""
    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    last = sit(quiz, UserFactory(), {single: [1]})
    assert quiz_item_analysis(quiz=quiz).quiz.attempts == 2
    last.delete()
    assert quiz_item_analysis(quiz=quiz).quiz.attempts == 1


def test_first_and_all_attempts_are_cached_apart(quiz, questions):
    """The two switches never read each other's report."""
    single, _, _ = questions
    trainee = UserFactory()
    sit(quiz, trainee, {single: [0]})
    sit(quiz, trainee, {single: [1]}, now=T0 + timedelta(hours=1))
    assert quiz_item_analysis(quiz=quiz).quiz.attempts == 1
    assert quiz_item_analysis(quiz=quiz, all_attempts=True).quiz.attempts == 2


def test_recompute_skips_the_cache_and_refreshes_it(quiz, questions):
    """``recompute`` computes now (a renamed question shows its new ref) and the
    next read is served that fresh report."""
    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    assert quiz_item_analysis(quiz=quiz).questions[0].question == "q-single"
    Question.objects.filter(pk=single.pk).update(ref="q-renamed")
    assert quiz_item_analysis(quiz=quiz).questions[0].question == "q-single"
    fresh = quiz_item_report(quiz=quiz, recompute=True)
    assert fresh.from_cache is False
    assert quiz_item_analysis(quiz=quiz).questions[0].question == "q-renamed"


def test_question_figures_come_from_the_cached_reports_only(
    quiz, questions, django_assert_num_queries
):
    """The question list's figures: nothing before a quiz's report is cached (the
    list never computes one), then the question's discrimination index and flags,
    in one query however many quizzes and questions."""
    single, multi, _ = questions
    for picks in ([0], [0], [1], [1]):
        sit(quiz, UserFactory(), {single: picks, multi: [0, 1]})
    assert question_item_figures() == {}
    report = quiz_item_report(quiz=quiz)
    with django_assert_num_queries(1):
        figures = question_item_figures()
    row = report.question_ids.index(single.pk)
    assert figures[single.pk].quiz_id == quiz.pk
    assert figures[single.pk].quiz_title == quiz.title
    assert figures[single.pk].discrimination_index == (
        report.analysis.questions[row].discrimination_index
    )
    assert [f.code for f in figures[single.pk].flags] == ["unused", "unused"]


def test_the_worst_flagged_quiz_gives_a_question_its_figures(questions):
    """A question sat in two quizzes shows the figures of the quiz where it is
    flagged worst: there, a weak question is worth a look wherever else it does
    well."""
    single, multi, tf = questions
    easy = QuizFactory(with_questions=questions)
    hard = QuizFactory(with_questions=questions)
    for index in range(4):
        sit(easy, UserFactory(), {single: [0], tf: [index % 2], multi: [0]})
        # In "hard" the top scorers pick a distractor: the key looks wrong there.
        if index < 3:
            sit(hard, UserFactory(), {single: [1], tf: [0], multi: [0, 1]})
        else:
            sit(hard, UserFactory(), {single: [0], tf: [1], multi: [2]})
    quiz_item_report(quiz=easy)
    quiz_item_report(quiz=hard)
    found = question_item_figures()[single.pk]
    assert found.quiz_id == hard.pk
    assert found.flags[0].code == "beats-key"


def test_a_regrade_changes_the_cached_analysis(quiz, questions):
    """A regrade changes marks without finishing an attempt: the latest regrade
    joins the fingerprint, so the analysis is recomputed with the new marks."""
    from quizzes.services.regrade import regrade_commit

    single, _, _ = questions
    sit(quiz, UserFactory(), {single: [0]})
    before = quiz_item_analysis(quiz=quiz)
    for choice in single.choices.order_by("order"):
        choice.is_correct = choice.order == 2
        choice.save()
    regrade_commit(question=single, by=None, reason="Key corrected", now=T0)
    report = quiz_item_report(quiz=quiz)
    assert report.from_cache is False
    assert report.analysis.quiz.mean != before.quiz.mean
