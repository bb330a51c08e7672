"""Quizzes and attempts for the page tests (tests/factories.py holds the content)."""

from datetime import timedelta

import factory

from quizzes.choices import QuestionKind, QuizMode
from quizzes.models import Quiz, QuizQuestion
from tests.factories import ChoiceFactory, QuestionFactory, SectionFactory


class QuizFactory(factory.django.DjangoModelFactory):
    """A timed exam with no questions yet; no shuffling, so positions are known."""

    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    mode = QuizMode.EXAM
    time_limit = timedelta(minutes=10)
    shuffle_questions = False
    shuffle_choices = False


def quiz_with_questions(count: int = 3, *, kinds=None, **quiz_fields) -> Quiz:
    """A quiz of ``count`` fixed questions, each with texts no other question shares.

    Every stem, option, rationale, explanation and source quote carries the
    question's number, so a test can look for one question's secrets in a page. The
    quotes are verbatim in the section's text, as the bank rules require.
    """
    kinds = kinds or [QuestionKind.SINGLE]
    quotes = [
        f"Passage {i}: intramuscular injection is used when IV access fails ({i})."
        for i in range(1, count + 1)
    ]
    section = SectionFactory(text="Routes\n" + "\n".join(quotes) + "\n")
    quiz = QuizFactory(**quiz_fields)
    for i, quote in enumerate(quotes, start=1):
        kind = kinds[(i - 1) % len(kinds)]
        question = QuestionFactory(
            section=section,
            kind=kind,
            stem=f"Stem {i}: which route is used when IV access fails?",
            explanation=f"Explanation {i}: the section names that route.",
            source_quote=quote,
            choices=[],
        )
        for order, (text, correct) in enumerate(_options(kind, i), start=1):
            ChoiceFactory(
                question=question,
                order=order,
                text=text,
                is_correct=correct,
                rationale=f"Rationale {i}.{order}: why “{text}” is "
                f"{'right' if correct else 'wrong'}.",
            )
        QuizQuestion.objects.create(quiz=quiz, question=question, order=i)
    return quiz


def _options(kind: str, i: int) -> list[tuple[str, bool]]:
    if kind == QuestionKind.TRUE_FALSE:
        return [("True", True), ("False", False)]
    if kind == QuestionKind.MULTIPLE:
        return [
            (f"Intravenous {i}", True),
            (f"Intramuscular {i}", True),
            (f"Skin patch {i}", False),
            (f"Eye drops {i}", False),
        ]
    return [
        (f"Intramuscular {i}", True),
        (f"Oral {i}", False),
        (f"Nasal {i}", False),
        (f"Patch {i}", False),
    ]
