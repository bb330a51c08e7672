"""A synthetic quiz with many finished attempts, for the item-analysis benchmark.

Written in bulk (``bulk_create``), not through the attempt services: 10,000 attempts
× 40 questions would otherwise take many minutes. The rows are what those services
would store: each answer scored by ``scoring.answer_score``, each attempt's score
the sum of its answers out of its question count. Marks follow a two-parameter
logistic model (each trainee an ability, each question a difficulty and a
discrimination), so the statistics have a realistic shape.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from quizzes.choices import AttemptState, QuestionKind, QuestionStatus
from quizzes.models import (
    Answer,
    Attempt,
    Choice,
    Question,
    Quiz,
    QuizQuestion,
    Section,
    SourceDocument,
)
from quizzes.scoring import answer_score

BATCH = 250  # attempts per transaction: 10,000 answers' objects at most in memory


@dataclass(frozen=True)
class _Item:
    id: int
    kind: str
    keys: tuple[int, ...]
    distractors: tuple[int, ...]
    difficulty: float
    discrimination: float


def item_analysis_cohort_seed(
    *, slug: str, attempts: int, questions: int, now: datetime, rng: random.Random
) -> Quiz:
    """A quiz ``slug`` of ``questions`` fixed questions and ``attempts`` trainees
    (``{slug}-00001``…) with one finished attempt each."""
    with transaction.atomic():
        quiz, items = _quiz_with_questions(slug=slug, count=questions, rng=rng)
    User = get_user_model()
    unusable_password = make_password(None)
    for start in range(0, attempts, BATCH):
        numbers = range(start + 1, min(start + BATCH, attempts) + 1)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(username=f"{slug}-{n:05d}", password=unusable_password)
                for n in numbers
            )
            started = now - timedelta(days=1)
            sittings = [
                Attempt(
                    trainee=user,
                    quiz=quiz,
                    number=1,
                    state=AttemptState.FINISHED,
                    started_at=started,
                    finished_at=started + timedelta(minutes=30),
                    score=0,
                    max_score=len(items),
                )
                for user in users
            ]
            answers = []
            for attempt in sittings:
                ability = rng.gauss(0, 1)
                rows = [_answer(item, ability, rng) for item in items]
                for position, answer in enumerate(rows, start=1):
                    answer.attempt = attempt
                    answer.position = position
                attempt.score = sum(a.score for a in rows)
                answers += rows
            Attempt.objects.bulk_create(sittings)
            for answer in answers:
                answer.attempt_id = answer.attempt.pk
            Answer.objects.bulk_create(answers, batch_size=5000)
    return quiz


def _quiz_with_questions(
    *, slug: str, count: int, rng: random.Random
) -> tuple[Quiz, list[_Item]]:
    text = "Benchmark section for the item analysis."
    document = SourceDocument.objects.create(
        title=f"Benchmark {slug}", slug=slug, text=text, checksum="0" * 64
    )
    section = Section.objects.create(
        document=document, order=0, title="Benchmark", slug="benchmark", text=text
    )
    kinds = [
        QuestionKind.MULTIPLE
        if i % 8 == 7
        else QuestionKind.TRUE_FALSE
        if i % 5 == 4
        else QuestionKind.SINGLE
        for i in range(count)
    ]
    questions = Question.objects.bulk_create(
        Question(
            section=section,
            ref=f"{slug}-q{i + 1:02d}",
            kind=kind,
            status=QuestionStatus.PUBLISHED,
            stem=f"Benchmark question {i + 1}",
            explanation="Benchmark.",
            source_quote=text,
        )
        for i, kind in enumerate(kinds)
    )
    choices = []
    for question in questions:
        correct = {QuestionKind.SINGLE: [True, False, False, False],
                   QuestionKind.MULTIPLE: [True, True, False, False],
                   QuestionKind.TRUE_FALSE: [True, False]}[question.kind]  # fmt: skip
        choices += [
            Choice(
                question=question,
                order=order,
                text=f"Option {order}",
                is_correct=is_correct,
                rationale="Benchmark.",
            )
            for order, is_correct in enumerate(correct, start=1)
        ]
    Choice.objects.bulk_create(choices)
    quiz = Quiz.objects.create(
        title=f"Benchmark {slug}", slug=slug, time_limit=None, shuffle_questions=False
    )
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, order=i) for i, q in enumerate(questions)
    )
    items = []
    for question in questions:
        own = [c for c in choices if c.question_id == question.pk]
        items.append(
            _Item(
                id=question.pk,
                kind=question.kind,
                keys=tuple(c.pk for c in own if c.is_correct),
                distractors=tuple(c.pk for c in own if not c.is_correct),
                difficulty=rng.gauss(-0.5, 1),
                discrimination=rng.uniform(0.2, 2.0),
            )
        )
    return quiz, items


def _answer(item: _Item, ability: float, rng: random.Random) -> Answer:
    """One answer under the logistic model: the keys with probability p, else a
    guess (a distractor, or for select-all a key and a distractor); 3% left blank."""
    p = 1 / (1 + math.exp(-item.discrimination * (ability - item.difficulty)))
    roll = rng.random()
    if roll < 0.03:
        picked: list[int] = []
    elif roll < 0.03 + 0.97 * p:
        picked = list(item.keys)
    elif item.kind == QuestionKind.MULTIPLE:
        picked = [rng.choice(item.keys), rng.choice(item.distractors)]
    else:
        picked = [rng.choice(item.distractors)]
    return Answer(
        question_id=item.id,
        choice_order=[*item.keys, *item.distractors],
        choice_ids=picked,
        score=answer_score(kind=item.kind, correct_ids=item.keys, chosen_ids=picked),
    )
