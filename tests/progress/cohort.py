"""A small cohort, built through the real services, whose figures are known by hand.

Sections: A (with a subsection A.1) and B. Questions: a1 in A, a2 in A.1, b1 in B
(single best answer) and b2 in B (select all: keys k1, k2; wrong w1, w2).
Quiz X fixes a1, a2, b1, b2 (highest grade, pass mark 50, 10 minutes); quiz Y fixes
a1, b1 (average grade, pass mark 60, untimed).

| trainee | attempt | a1 | a2 | b1 | b2          | score | percent | time  |
| ------- | ------- | -- | -- | -- | ----------- | ----- | ------- | ----- |
| t1      | X #1    | 1  | 1  | 0  | k1 → 0.5    | 2.5/4 | 62.5    | 5 min |
| t1      | X #2    | 1  | 1  | 1  | k1 k2 → 1   | 4/4   | 100.0   | 8 min |
| t1      | Y #1    | 0  |    | 1  |             | 1/2   | 50.0    | 3 min |
| t2      | X #1    | 1  | 0  | 1  | k1 w1 → 0   | 2/4   | 50.0    | 6 min |
| t2      | Y #1    | 1  |    | 1  |             | 2/2   | 100.0   | 2 min |
| t2      | Y #2    | 0  |    | 0  |             | 0/2   | 0.0     | 1 min |
| t3      | X #1    | in progress (no deadline), a1 saved                       |

Mastery (answers, marks → %): t1 A 5, 4 → 80.0; t1 B 5, 3.5 → 70.0;
t2 A 4, 2 → 50.0; t2 B 4, 2 → 50.0; cohort A 9, 6 → 66.7; cohort B 9, 5.5 → 61.1.
Grades: t1 X 100.0 pass, t1 Y 50.0 fail; t2 X 50.0 pass, t2 Y 50.0 fail.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from quizzes.choices import GradingMethod, QuestionKind
from quizzes.models import Attempt
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.personal_tests import personal_test_create
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    SourceDocumentFactory,
    UserFactory,
)

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Cohort:
    t1: object
    t2: object
    t3: object
    x: object
    y: object
    a: object
    a_sub: object
    b: object
    a1: object
    a2: object
    b1: object
    b2: object


def choice(question, text):
    return question.choices.get(text=text).pk


def key(question):
    return list(question.choices.filter(is_correct=True).values_list("pk", flat=True))


def wrong(question):
    return [question.choices.filter(is_correct=False).first().pk]


def take(trainee, quiz, started, minutes, picks):
    """Start, save the picks ({question: [choice ids]}), finish after ``minutes``."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=started).attempt
    for question, chosen in picks.items():
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=chosen,
            flagged=None,
            now=started + timedelta(minutes=minutes / 2),
        )
    return attempt_finish(attempt=attempt, now=started + timedelta(minutes=minutes))


@pytest.fixture
def cohort(db):
    document = SourceDocumentFactory(title="Handbook")
    text = (
        "Routes\nKetamine can be given by intravenous infusion for rapid onset. "
        "Intramuscular injection is used when IV access is not feasible.\n"
    )
    a = SectionFactory(document=document, order=1, title="Section A", text=text)
    a_sub = SectionFactory(
        document=document, order=2, level=2, parent=a, title="A.1", text=text
    )
    b = SectionFactory(document=document, order=3, title="Section B", text=text)
    a1 = QuestionFactory(section=a)
    a2 = QuestionFactory(section=a_sub)
    b1 = QuestionFactory(section=b)
    b2 = QuestionFactory(
        section=b,
        kind=QuestionKind.MULTIPLE,
        choices=[("k1", True), ("k2", True), ("w1", False), ("w2", False)],
    )
    x = QuizFactory(
        title="Quiz X",
        grading_method=GradingMethod.HIGHEST,
        pass_mark=50,
        with_questions=[a1, a2, b1, b2],
    )
    y = QuizFactory(
        title="Quiz Y",
        grading_method=GradingMethod.AVERAGE,
        pass_mark=60,
        time_limit=None,
        with_questions=[a1, b1],
    )
    t1 = UserFactory(username="t1", first_name="Tess", last_name="One")
    t2 = UserFactory(username="t2", first_name="Tom", last_name="Two")
    t3 = UserFactory(username="t3")
    day = timedelta(days=1)
    take(
        t1,
        x,
        DAY1,
        5,
        {a1: key(a1), a2: key(a2), b1: wrong(b1), b2: [choice(b2, "k1")]},
    )
    take(t1, x, DAY1 + day, 8, {a1: key(a1), a2: key(a2), b1: key(b1), b2: key(b2)})
    take(t1, y, DAY1 + 2 * day, 3, {a1: wrong(a1), b1: key(b1)})
    take(
        t2,
        x,
        DAY1,
        6,
        {
            a1: key(a1),
            a2: wrong(a2),
            b1: key(b1),
            b2: [choice(b2, "k1"), choice(b2, "w1")],
        },
    )
    take(t2, y, DAY1 + 3 * day, 2, {a1: key(a1), b1: key(b1)})
    take(t2, y, DAY1 + 4 * day, 1, {a1: wrong(a1), b1: wrong(b1)})
    started = attempt_start(trainee=t3, quiz=x, now=DAY1 + 5 * day).attempt
    answer_save(
        attempt=started,
        question_id=a1.pk,
        choice_ids=key(a1),
        flagged=None,
        now=DAY1 + 5 * day + timedelta(minutes=1),
    )
    # t3 is still at work on whatever day the suite runs: without a deadline, else
    # the clock would have ended the sitting since and the pages, which close due
    # attempts on read, would show it expired and scored.
    Attempt.objects.filter(pk=started.pk).update(deadline=None)
    return Cohort(t1, t2, t3, x, y, a, a_sub, b, a1, a2, b1, b2)


def t3_time_ran_out(cohort: Cohort):
    """Give t3's sitting its 10 minutes back: long past by now, and nothing (no
    scheduler, no request of t3's) has closed it. Closed, it scores a1 only: 1/4 =
    25.0 % on X (fail); mastery A 1 of 2 answers (50.0 %), B 0 of 2 (0.0 %)."""
    attempt = Attempt.objects.get(trainee=cohort.t3)
    attempt.deadline = attempt.started_at + timedelta(minutes=10)
    attempt.save(update_fields=["deadline"])
    return attempt


def sit_personal_test(cohort: Cohort):
    """t1 builds a tutor test of a1 and b1 on day 6: a1 wrong, b1 right."""
    quiz = personal_test_create(
        trainee=cohort.t1,
        question_ids=[cohort.a1.pk, cohort.b1.pk],
        mode="tutor",
        title="My test",
        now=DAY1 + timedelta(days=6),
    )
    take(
        cohort.t1,
        quiz,
        DAY1 + timedelta(days=6),
        4,
        {cohort.a1: wrong(cohort.a1), cohort.b1: key(cohort.b1)},
    )
    return quiz
