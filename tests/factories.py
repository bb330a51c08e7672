"""factory_boy factories: the smallest valid objects, overridable per test."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from quizzes.choices import QuestionKind, QuestionStatus, QuizMode
from quizzes.models import (
    Accommodation,
    Choice,
    Question,
    Quiz,
    QuizOverride,
    QuizQuestion,
    Section,
    SourceDocument,
)

SECTION_TEXT = (
    "Routes\nKetamine can be given by intravenous infusion for rapid onset. "
    "Intramuscular injection is used when IV access is not feasible.\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"trainee{n}")
    password = factory.django.Password("pw-for-tests")


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDocument

    title = factory.Sequence(lambda n: f"Document {n}")
    slug = factory.Sequence(lambda n: f"document-{n}")
    text = SECTION_TEXT
    checksum = "0" * 64


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    document = factory.SubFactory(SourceDocumentFactory)
    order = factory.Sequence(lambda n: n)
    level = 1
    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    text = SECTION_TEXT


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published single-best-answer question with four valid choices."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    section = factory.SubFactory(SectionFactory)
    kind = QuestionKind.SINGLE
    status = QuestionStatus.PUBLISHED
    stem = "Which route is used when IV access is not feasible?"
    explanation = "The section names intramuscular injection for that case."
    source_quote = "Intramuscular injection is used when IV access is not feasible."

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted
        if specs is None:
            specs = {
                QuestionKind.SINGLE: [
                    ("Intramuscular injection", True),
                    ("Oral tablet", False),
                    ("Nasal spray", False),
                    ("Skin patch", False),
                ],
                QuestionKind.MULTIPLE: [
                    ("Intravenous infusion", True),
                    ("Intramuscular injection", True),
                    ("Skin patch", False),
                    ("Eye drops", False),
                ],
                QuestionKind.TRUE_FALSE: [("True", True), ("False", False)],
            }[self.kind]
        for order, (text, is_correct) in enumerate(specs, start=1):
            ChoiceFactory(question=self, order=order, text=text, is_correct=is_correct)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, choices=[])
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False
    rationale = "Why this option is right or wrong."


class QuizFactory(factory.django.DjangoModelFactory):
    """An exam-mode quiz, 10 minutes, no shuffling (so tests know the order)."""

    class Meta:
        model = Quiz
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    mode = QuizMode.EXAM
    time_limit = timedelta(minutes=10)
    shuffle_questions = False
    shuffle_choices = False

    @factory.post_generation
    def with_questions(self, create, extracted, **kwargs):
        """``QuizFactory(with_questions=[q1, q2])`` fixes those questions in order."""
        if create and extracted:
            for order, question in enumerate(extracted, start=1):
                QuizQuestion.objects.create(quiz=self, question=question, order=order)


class AccommodationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accommodation

    trainee = factory.SubFactory(UserFactory)
    quiz = None
    time_factor = Decimal("1.50")
    extra_minutes = 0


class QuizOverrideFactory(factory.django.DjangoModelFactory):
    """One trainee's override; pass the settings it changes (at least one)."""

    class Meta:
        model = QuizOverride

    quiz = factory.SubFactory(QuizFactory)
    trainee = factory.SubFactory(UserFactory)
    group = None
    reason = "Resit agreed by the course lead"
