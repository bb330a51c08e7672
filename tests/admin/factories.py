"""Factories for the admin and progress tests: staff accounts, attempts, answers."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from quizzes.choices import AttemptState, ReportCategory
from quizzes.models import Answer, Attempt, DeadlineExtension, ProblemReport, QuizDraw
from quizzes.services.instructors import instructors_group_ensure
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"root{n}")
    is_staff = True
    is_superuser = True


class InstructorFactory(UserFactory):
    """Staff in the Instructors group, with no permission of its own."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"instructor{n}")
    is_staff = True

    @factory.post_generation
    def in_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(instructors_group_ensure())


class AttemptFactory(factory.django.DjangoModelFactory):
    """A finished attempt with a stored score (no answers unless added)."""

    class Meta:
        model = Attempt

    trainee = factory.SubFactory(UserFactory)
    quiz = factory.SubFactory(QuizFactory)
    number = factory.Sequence(lambda n: n + 1)
    state = AttemptState.FINISHED
    started_at = T0
    deadline = factory.LazyAttribute(lambda a: a.started_at + timedelta(minutes=10))
    finished_at = factory.LazyAttribute(lambda a: a.started_at + timedelta(minutes=5))
    score = Decimal("3")
    max_score = 4


class InProgressAttemptFactory(AttemptFactory):
    state = AttemptState.IN_PROGRESS
    finished_at = None
    score = None
    max_score = None


class PreparedAttemptFactory(AttemptFactory):
    """An attempt prepared ahead of an exam: no start, no clock, no score."""

    state = AttemptState.PREPARED
    started_at = None
    deadline = None
    finished_at = None
    score = None
    max_score = None


class AnswerFactory(factory.django.DjangoModelFactory):
    """A scored answer of a finished attempt."""

    class Meta:
        model = Answer

    attempt = factory.SubFactory(AttemptFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    choice_order = factory.LazyAttribute(
        lambda a: list(a.question.choices.values_list("pk", flat=True))
    )
    choice_ids = factory.LazyAttribute(lambda a: a.choice_order[:1])
    saved_at = factory.LazyAttribute(
        lambda a: a.attempt.started_at + timedelta(minutes=1)
    )
    score = Decimal("1")


class QuizDrawFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizDraw

    quiz = factory.SubFactory(QuizFactory)
    section = factory.SubFactory(SectionFactory)
    count = 1


class DeadlineExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadlineExtension

    attempt = factory.SubFactory(InProgressAttemptFactory)
    extended_by = factory.SubFactory(InstructorFactory)
    extended_at = T0
    reason = "Fire alarm."
    old_deadline = factory.LazyAttribute(lambda e: e.attempt.deadline)
    new_deadline = factory.LazyAttribute(
        lambda e: e.old_deadline + timedelta(minutes=5)
    )


class ProblemReportFactory(factory.django.DjangoModelFactory):
    """An open report of a scored answer's question, by the attempt's trainee."""

    class Meta:
        model = ProblemReport

    answer = factory.SubFactory(AnswerFactory)
    attempt = factory.LazyAttribute(lambda r: r.answer.attempt)
    question = factory.LazyAttribute(lambda r: r.answer.question)
    trainee = factory.LazyAttribute(lambda r: r.answer.attempt.trainee)
    category = ReportCategory.WRONG_KEY
    text = "The section says intramuscular, the key says oral."
    created_at = factory.LazyAttribute(
        lambda r: r.attempt.finished_at + timedelta(minutes=1)
    )
