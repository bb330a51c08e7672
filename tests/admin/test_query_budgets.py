"""Every admin list and progress page runs a fixed number of queries, whatever the
number of rows it shows (3 or 30 here): computed columns are annotations, related
rows are joined or prefetched, progress figures are grouped queries.

Each budget lists its queries. Every page starts with the same two: the session
and the user; the changelists then count the rows (one query, or two with a
filter) and read the page of rows.
"""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import AttemptRegrade, LateAnswer
from tests.admin.factories import (
    T0,
    AnswerFactory,
    AttemptFactory,
    DeadlineExtensionFactory,
    ProblemReportFactory,
    SuperuserFactory,
)
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    SourceDocumentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SIZES = [3, 30]


def cohort_of(size):
    """``size`` trainees, each with two finished attempts answering 2 sections."""
    document = SourceDocumentFactory()
    sections = [SectionFactory(document=document, order=i) for i in range(3)]
    questions = [QuestionFactory(section=s) for s in sections for _ in range(2)]
    quiz = QuizFactory(with_questions=questions)
    trainees = []
    for _ in range(size):
        trainee = UserFactory()
        for number in (1, 2):
            attempt = AttemptFactory(
                trainee=trainee,
                quiz=quiz,
                number=number,
                started_at=T0 + timedelta(days=number),
            )
            for question in questions[:4]:
                AnswerFactory(attempt=attempt, question=question)
        trainees.append(trainee)
    return trainees


def build(page, size):
    """Rows for ``page`` and the URL that shows them."""
    if page == "documents":
        for _ in range(size):
            SectionFactory()
        return reverse("admin:quizzes_sourcedocument_changelist")
    if page == "sections":
        document = SourceDocumentFactory()
        for order in range(size):
            section = SectionFactory(document=document, order=order)
            QuestionFactory(section=section)
            QuestionFactory(section=section, status=QuestionStatus.DRAFT)
        return reverse("admin:quizzes_section_changelist")
    if page == "questions":
        for _ in range(size):
            AnswerFactory()
        return reverse("admin:quizzes_question_changelist") + "?q=route"
    if page == "quizzes":
        for _ in range(size):
            AttemptFactory()
        return reverse("admin:quizzes_quiz_changelist")
    if page == "accommodations":
        for _ in range(size):
            AccommodationFactory(quiz=QuizFactory())
        return reverse("admin:quizzes_accommodation_changelist")
    if page == "attempts":
        for _ in range(size):
            AttemptFactory()
        return reverse("admin:quizzes_attempt_changelist")
    if page == "answers":
        for _ in range(size):
            AnswerFactory()
        return reverse("admin:quizzes_answer_changelist")
    if page == "extensions":
        for _ in range(size):
            DeadlineExtensionFactory()
        return reverse("admin:quizzes_deadlineextension_changelist")
    if page == "trainees":
        cohort_of(size)
        return reverse("admin:quizzes_trainee_changelist")
    if page == "cohort":
        cohort_of(size)
        return reverse("admin:quizzes_trainee_cohort") + "?order=weakest"
    if page == "progress":
        # One trainee with ``size`` attempts.
        trainee = UserFactory()
        for number in range(1, size + 1):
            attempt = AttemptFactory(trainee=trainee, number=number)
            AnswerFactory(attempt=attempt)
        return reverse("admin:quizzes_trainee_progress", args=[trainee.pk])
    if page == "attempt":
        attempt = AttemptFactory()
        for seq in range(1, size + 1):
            answer = AnswerFactory(attempt=attempt)
            LateAnswer.objects.create(
                attempt=attempt, question=answer.question, seq=seq, received_at=T0
            )
        DeadlineExtensionFactory(attempt=attempt)
        return reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    if page == "review":
        # An attempt of ``size`` questions, each from its own section.
        attempt = AttemptFactory()
        for _ in range(size):
            AnswerFactory(attempt=attempt)
        return reverse("admin:quizzes_attempt_review", args=[attempt.pk])
    if page == "question":
        question = QuestionFactory()
        for _ in range(size):
            AnswerFactory(question=question)
        return reverse("admin:quizzes_question_change", args=[question.pk])
    if page == "reports":
        for _ in range(size):
            ProblemReportFactory()
        return reverse("admin:quizzes_problemreport_changelist")
    if page == "preview":
        return reverse("admin:quizzes_question_preview", args=[QuestionFactory().pk])
    if page == "regrades":
        for _ in range(size):
            attempt = AttemptFactory()
            AttemptRegrade.objects.create(
                attempt=attempt,
                quiz=attempt.quiz,
                regraded_at=T0,
                regraded_by=UserFactory(),
                reason="Key corrected",
                old_score=3,
                new_score=2,
                max_score=4,
            )
        return reverse("admin:quizzes_attemptregrade_changelist")
    if page == "regrade":
        # A question answered by ``size`` finished attempts, whose key then
        # moves: every attempt is listed in the dry run.
        question = QuestionFactory()
        for _ in range(size):
            AnswerFactory(question=question, score=1)
        question.choices.update(is_correct=~Q(is_correct=True))
        return reverse("admin:quizzes_attemptregrade_question", args=[question.pk])
    raise AssertionError(page)


BUDGETS = {
    # session, user, count, full count, rows + section count (annotated)
    "documents": 5,
    # session, user, documents (filter), count, full count, rows + document +
    # question counts by status (annotated), levels (filter)
    "sections": 7,
    # session, user, documents (filter), sections (filter), count of the search,
    # full count, rows + section + responses + facility (annotated), the quizzes'
    # attempt fingerprints (item analysis read from the cache, once per page)
    "questions": 8,
    # session, user, count, full count, rows + started/finished/mean (annotated)
    "quizzes": 5,
    # session, user, quizzes (filter), count, full count, rows + trainee + quiz
    "accommodations": 6,
    # session, user, quizzes (filter), count, rows + trainee + quiz, the date
    # hierarchy's bounds and its days (no full count: show_full_result_count off)
    "attempts": 7,
    # session, user, top-level sections (filter), quizzes (filter), count, rows +
    # attempt + trainee + quiz + question + section
    "answers": 6,
    # session, user, quizzes (filter), count, full count, rows + attempt + trainee
    # + quiz + instructor
    "extensions": 6,
    # session, user, the attempts due to close (close on read: none), count, full
    # count, rows + finished/mean/last activity, groups (the group filter)
    "trainees": 7,
    # session, user, the attempts due to close (close on read: none), top-level
    # sections, trainee count, trainee page (weakest first), their grid, the
    # cohort row, the grades (one row per finished attempt), the histograms'
    # quizzes, quizzes (filter form), groups (filter form)
    "cohort": 12,
    # session, user, trainee, the trainee's attempts due to close (close on read:
    # none), top-level sections, grades, quiz rows, score points, mastery, latest
    # saved answer, the overrides that apply to the trainee, the personal tests'
    # summary, quizzes (filter form)
    "progress": 13,
    # session, user, attempt + trainee + quiz (+ state as of now), answers +
    # attempt + question, their choices (one prefetch), late changes + position +
    # question, their choices (one prefetch), extensions + instructor, content
    # type (the change form's context)
    "attempt": 9,
    # session, user, attempt + trainee + quiz, answers + question + pinned
    # version, the live choices of answers older than versions (once for the
    # page), the sections of their documents (passages)
    "review": 6,
    # session, user, question + responses + facility, choices, sections (form),
    # content type; for its warnings: its choices, the other published questions
    # of its document, their choices (none when there are no others)
    "question": 9,
    # session, user, question + section + document, choices, the document's
    # sections (the passage), the section's document id
    "preview": 6,
    # session, user, quizzes (filter), documents (filter), sections (filter),
    # count, full count, rows + trainee + question + attempt + quiz + resolver +
    # responses + facility (annotated), the date hierarchy's bounds and its days
    "reports": 10,
    # session, user, quizzes (filter), instructors (filter), count, full count,
    # rows + attempt + trainee + quiz + instructor, the date hierarchy's bounds
    # and its days
    "regrades": 9,
    # session, user, question, the choices + question (current content), its
    # versions kept, the finished attempts in scope + trainee + quiz, their
    # answers, the attempts in progress (count), the grades' attempts
    "regrade": 9,
}


@pytest.mark.parametrize("page", BUDGETS)
def test_a_page_runs_the_same_queries_for_3_rows_as_for_30(
    client, page, django_assert_max_num_queries
):
    client.force_login(SuperuserFactory())
    for size in SIZES:
        url = build(page, size)
        with django_assert_max_num_queries(BUDGETS[page]):
            response = client.get(url)
        assert response.status_code == 200, page
