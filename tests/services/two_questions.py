"""The small sitting the answer-saving tests share: a single-answer and a
multiple-answer question, and an attempt at both started at ``T0``."""

from datetime import UTC, datetime

from quizzes.choices import QuestionKind
from quizzes.services.attempts import attempt_start
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def two_questions():
    section = SectionFactory()
    return [
        QuestionFactory(section=section),
        QuestionFactory(section=section, kind=QuestionKind.MULTIPLE),
    ]


def attempt_at(questions):
    quiz = QuizFactory(with_questions=questions)
    return attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
