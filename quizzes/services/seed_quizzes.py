"""The seed quizzes built on a document's section banks."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q

from quizzes.choices import GradingMethod, QuestionStatus, QuizMode
from quizzes.models import Quiz, QuizDraw, SourceDocument

SECTION_EXAM_QUESTIONS = 10
SECTION_EXAM_MINUTES = 12
COMPREHENSIVE_QUESTIONS = 40
COMPREHENSIVE_MINUTES = 50


def seed_quizzes_create(*, document: SourceDocument) -> list[Quiz]:
    """Create or update, by slug, the seed quizzes of ``document``.

    Per top-level section: a practice quiz in tutor mode (untimed, every published
    question) and a timed exam (10 questions, 12 minutes; fewer where the bank holds
    fewer). Across all sections: a comprehensive exam of 40 questions in 50 minutes,
    drawn evenly. Questions in subsections count for their top-level section.
    """
    sections = list(document.sections.filter(level=1).order_by("order"))
    published = _published_counts(document)
    quizzes: list[Quiz] = []
    with transaction.atomic():
        for section in sections:
            available = published[section.pk]
            quizzes.append(
                _quiz_upsert(
                    slug=f"practice-{section.slug}",
                    defaults={
                        "title": f"Practice: {section.title}",
                        "description": "Untimed practice in tutor mode: each answer, "
                        "once confirmed, shows its key, rationale and source passage.",
                        "mode": QuizMode.TUTOR,
                        "time_limit": None,
                        "attempts_allowed": None,
                        "grading_method": GradingMethod.LATEST,
                    },
                    draws={section: available},
                )
            )
            quizzes.append(
                _quiz_upsert(
                    slug=f"exam-{section.slug}",
                    defaults={
                        "title": f"Timed exam: {section.title}",
                        "description": "A timed exam on one section. Feedback comes "
                        "after you submit.",
                        "mode": QuizMode.EXAM,
                        "time_limit": timedelta(minutes=SECTION_EXAM_MINUTES),
                        "attempts_allowed": 3,
                        "grading_method": GradingMethod.HIGHEST,
                    },
                    draws={section: min(SECTION_EXAM_QUESTIONS, available)},
                )
            )
        per_section = _spread(
            COMPREHENSIVE_QUESTIONS, [published[s.pk] for s in sections]
        )
        quizzes.append(
            _quiz_upsert(
                slug=f"comprehensive-{document.slug}",
                defaults={
                    "title": f"Comprehensive exam: {document.title}",
                    "description": f"{COMPREHENSIVE_QUESTIONS} questions across every "
                    f"section in {COMPREHENSIVE_MINUTES} minutes.",
                    "mode": QuizMode.EXAM,
                    "time_limit": timedelta(minutes=COMPREHENSIVE_MINUTES),
                    "attempts_allowed": 2,
                    "grading_method": GradingMethod.HIGHEST,
                },
                draws=dict(zip(sections, per_section, strict=True)),
            )
        )
    return quizzes


def _published_counts(document: SourceDocument) -> dict[int, int]:
    """Published questions per top-level section, subsections included."""
    counts: dict[int, int] = {}
    top = None
    for section in document.sections.order_by("order").annotate(
        published=Count(
            "questions", filter=Q(questions__status=QuestionStatus.PUBLISHED)
        )
    ):
        top = section if section.level == 1 else top
        counts[top.pk] = counts.get(top.pk, 0) + section.published
    return counts


def _spread(total: int, capacities: list[int]) -> list[int]:
    """Split ``total`` as evenly as the capacities allow, in section order."""
    shares = [0] * len(capacities)
    remaining = min(total, sum(capacities))
    while remaining:
        for i, capacity in enumerate(capacities):
            if remaining and shares[i] < capacity:
                shares[i] += 1
                remaining -= 1
    return shares


def _quiz_upsert(*, slug: str, defaults: dict, draws: dict) -> Quiz:
    quiz, _ = Quiz.objects.update_or_create(slug=slug, defaults=defaults)
    wanted = {section.pk: count for section, count in draws.items() if count}
    quiz.draws.exclude(section_id__in=wanted).delete()
    for section_id, count in wanted.items():
        QuizDraw.objects.update_or_create(
            quiz=quiz, section_id=section_id, defaults={"count": count}
        )
    return quiz
