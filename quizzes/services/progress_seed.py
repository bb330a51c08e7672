"""Synthetic cohorts of trainees with finished attempts, for benchmarks and demos.

``cohort_seed`` writes in bulk (``bulk_create``), not through ``attempt_start`` /
``attempt_finish``: a thousand trainees with ten attempts each would otherwise take
minutes. The rows are what those services would store: the questions are picked as
``quiz_questions_pick`` picks them (fixed, then drawn from each section's published
subtree), every answer is scored by ``scoring.answer_score`` and the attempt's
``score`` is the sum of its answers over ``max_score`` questions, finished within
its deadline. ``demo_attempts_take`` goes through the real services, for a few.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from quizzes.choices import AttemptState, QuestionKind, QuestionStatus
from quizzes.models import Answer, Attempt, Choice, Question, Quiz, Section
from quizzes.scoring import answer_score
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.splitting import subtree_end

FIRST_NAMES = [
    "Amara", "Ben", "Chloé", "Dev", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonah",
    "Kemi", "Liam", "Mei", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tess",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta",
    "Haddad", "Ibrahim", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura",
    "Okafor", "Petrov", "Quispe", "Rahman", "Silva", "Tanaka",
]  # fmt: skip
BATCH = 5000


@dataclass(frozen=True)
class _QuizPlan:
    quiz: Quiz
    fixed: list[int]
    draws: list[tuple[int, list[int]]]  # (count, pool of question ids)


@dataclass
class SeedResult:
    trainees: int
    attempts: int
    answers: int


def cohort_seed(
    *,
    trainees: int,
    attempts_per_trainee: int,
    now: datetime,
    prefix: str = "bench-",
    days: int = 120,
    rng: random.Random | None = None,
) -> SeedResult:
    """Create ``trainees`` trainees, each with ``attempts_per_trainee`` finished
    attempts spread over the last ``days`` days, within each quiz's attempts allowed.

    Each trainee has an ability and each section a difficulty, so the heatmap has a
    shape. Usernames are ``{prefix}0001``…; an existing one stops the seed.
    """
    seeder = _Seeder(
        plans=_quiz_plans(),
        questions=_question_facts(),
        now=now,
        days=days,
        rng=rng or random.Random(2026),
    )
    if not seeder.plans:
        raise ValueError("no quiz with published questions: seed the banks first")
    User = get_user_model()
    unusable_password = make_password(None)  # no hashing cost
    totals = SeedResult(0, 0, 0)
    for start in range(0, trainees, 200):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    username=f"{prefix}{number:04d}",
                    first_name=seeder.rng.choice(FIRST_NAMES),
                    last_name=seeder.rng.choice(LAST_NAMES),
                    password=unusable_password,
                    date_joined=now - timedelta(days=days + 1),
                )
                for number in range(start + 1, min(start + 200, trainees) + 1)
            )
            pairs = [
                pair
                for user in users
                for pair in seeder.trainee_attempts(user, attempts_per_trainee)
            ]
            Attempt.objects.bulk_create([a for a, _ in pairs], batch_size=BATCH)
            answers = []
            for attempt, rows in pairs:
                for answer in rows:
                    answer.attempt = attempt
                    answers.append(answer)
            Answer.objects.bulk_create(answers, batch_size=BATCH)
        totals.trainees += len(users)
        totals.attempts += len(pairs)
        totals.answers += len(answers)
    return totals


@dataclass
class _Seeder:
    plans: list[_QuizPlan]
    questions: dict[int, tuple]
    now: datetime
    days: int
    rng: random.Random

    def trainee_attempts(self, user, count: int):
        """``count`` (attempt, answers) pairs, started in time order."""
        ability = min(0.97, max(0.3, self.rng.gauss(0.74, 0.12)))
        used: dict[int, int] = {}
        for index in range(count):
            plan = self.rng.choice(
                [
                    p
                    for p in self.plans
                    if p.quiz.attempts_allowed is None
                    or used.get(p.quiz.pk, 0) < p.quiz.attempts_allowed
                ]
            )
            used[plan.quiz.pk] = used.get(plan.quiz.pk, 0) + 1
            picked = list(plan.fixed)
            for draw_count, pool in plan.draws:
                free = [q for q in pool if q not in picked]
                picked += self.rng.sample(free, min(draw_count, len(free)))
            if plan.quiz.shuffle_questions:
                self.rng.shuffle(picked)
            # Spread over the period, a day short of now so that every attempt has
            # finished; a later attempt of one quiz starts later, as numbers say.
            offset = (index + self.rng.random()) * (self.days - 1) / count
            started_at = self.now - timedelta(days=self.days - offset)
            yield self.finished_attempt(
                user, plan.quiz, used[plan.quiz.pk], picked, ability, started_at
            )

    def finished_attempt(self, user, quiz, number, picked, ability, started_at):
        limit = quiz.time_limit or timedelta(minutes=len(picked) * 2)
        used = limit * self.rng.uniform(0.35, 0.95)
        rows, total = [], Decimal(0)
        for position, question_id in enumerate(picked, start=1):
            kind, correct, choice_ids, difficulty = self.questions[question_id]
            chosen = _choose(kind, correct, choice_ids, ability - difficulty, self.rng)
            score = answer_score(kind=kind, correct_ids=correct, chosen_ids=chosen)
            total += score
            order = list(choice_ids)
            if quiz.shuffle_choices:
                self.rng.shuffle(order)
            rows.append(
                Answer(
                    question_id=question_id,
                    position=position,
                    choice_order=order,
                    choice_ids=[c for c in order if c in chosen],
                    saved_at=started_at + used * position / (len(picked) + 1)
                    if chosen
                    else None,
                    score=score,
                )
            )
        attempt = Attempt(
            trainee=user,
            quiz=quiz,
            number=number,
            state=AttemptState.FINISHED,
            started_at=started_at,
            deadline=started_at + quiz.time_limit if quiz.time_limit else None,
            finished_at=started_at + used,
            score=total,
            max_score=len(picked),
        )
        return attempt, rows


def _choose(kind, correct, choice_ids, chance, rng) -> list[int]:
    if rng.random() < 0.04:
        return []  # left unanswered
    wrong = [c for c in choice_ids if c not in correct]
    if rng.random() < min(0.97, max(0.03, chance)):
        return sorted(correct)
    if kind == QuestionKind.MULTIPLE and wrong:
        keep = rng.sample(sorted(correct), max(1, len(correct) - 1))
        return keep + rng.sample(wrong, 1)
    return [rng.choice(wrong)] if wrong else []


def _quiz_plans() -> list[_QuizPlan]:
    sections = list(
        Section.objects.order_by("document_id", "order").only(
            "id", "document_id", "order", "level"
        )
    )
    index = {s.pk: i for i, s in enumerate(sections)}
    published: dict[int, list[int]] = {}
    for question_id, section_id in Question.objects.filter(
        status=QuestionStatus.PUBLISHED
    ).values_list("pk", "section_id"):
        published.setdefault(section_id, []).append(question_id)
    plans = []
    for quiz in Quiz.objects.prefetch_related("fixed", "draws"):
        draws = []
        for draw in quiz.draws.all():
            start = index[draw.section_id]
            pool = [
                q
                for s in sections[start : subtree_end(sections, start)]
                for q in published.get(s.pk, [])
            ]
            draws.append((draw.count, pool))
        fixed = [f.question_id for f in quiz.fixed.all()]
        if fixed or any(pool for _, pool in draws):
            plans.append(_QuizPlan(quiz=quiz, fixed=fixed, draws=draws))
    return plans


def _question_facts() -> dict[int, tuple]:
    """kind, correct ids, choice ids and a difficulty per question (by section)."""
    choices: dict[int, list[int]] = {}
    correct: dict[int, set[int]] = {}
    for question_id, choice_id, is_correct in Choice.objects.order_by(
        "question_id", "order", "id"
    ).values_list("question_id", "pk", "is_correct"):
        choices.setdefault(question_id, []).append(choice_id)
        if is_correct:
            correct.setdefault(question_id, set()).add(choice_id)
    difficulty_rng = random.Random(7)
    section_difficulty: dict[int, float] = {}
    facts = {}
    for question_id, kind, section_id in Question.objects.values_list(
        "pk", "kind", "section_id"
    ):
        difficulty = section_difficulty.setdefault(
            section_id, difficulty_rng.uniform(-0.12, 0.16)
        )
        facts[question_id] = (
            kind,
            correct.get(question_id, set()),
            choices.get(question_id, []),
            difficulty,
        )
    return facts


def demo_attempts_take(*, trainee, quizzes, now: datetime, rng: random.Random) -> int:
    """A few real attempts through the services: start, answer, finish (for demos).

    Each attempt starts a day after the previous one, at ``now`` minus the days
    left; about three answers in four are the key.
    """
    taken = 0
    for offset, quiz in enumerate(quizzes):
        moment = now - timedelta(days=len(quizzes) - offset, hours=rng.randint(0, 8))
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=moment, rng=rng).attempt
        for answer in attempt.answers.select_related("question"):
            keys = list(
                Choice.objects.filter(
                    question_id=answer.question_id, is_correct=True
                ).values_list("pk", flat=True)
            )
            wrong = [c for c in answer.choice_order if c not in keys]
            choice = keys if rng.random() < 0.75 or not wrong else [rng.choice(wrong)]
            if answer.question.kind != QuestionKind.MULTIPLE:
                choice = choice[:1]
            moment += timedelta(seconds=rng.randint(20, 60))
            answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=choice,
                flagged=False,
                now=moment,
            )
        attempt_finish(attempt=attempt, now=moment + timedelta(seconds=30))
        taken += 1
    return taken
