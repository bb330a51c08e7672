"""The seed quizzes that `make run` creates from the section banks."""

from datetime import UTC, datetime, timedelta

from django.core.management import call_command

from quizzes.choices import QuizMode
from quizzes.models import Quiz, Section
from quizzes.selectors import quiz_question_count
from quizzes.services.attempts import attempt_start
from tests.factories import UserFactory


def test_each_section_gets_a_tutor_practice_and_a_timed_exam(seeded):
    sections = Section.objects.filter(level=1)
    assert Quiz.objects.count() == 2 * sections.count() + 1
    for section in sections:
        practice = Quiz.objects.get(slug=f"practice-{section.slug}")
        exam = Quiz.objects.get(slug=f"exam-{section.slug}")
        assert practice.mode == QuizMode.TUTOR
        assert exam.mode == QuizMode.EXAM
        assert exam.time_limit == timedelta(minutes=12)
        assert quiz_question_count(exam) == min(10, quiz_question_count(practice))
        assert quiz_question_count(practice) >= 4


def test_comprehensive_exam_draws_forty_questions_across_all_sections(seeded):
    quiz = Quiz.objects.get(slug="comprehensive-ketamine-clinical-overview")
    assert quiz.time_limit == timedelta(minutes=50)
    assert quiz_question_count(quiz) == 40
    assert quiz.draws.count() == Section.objects.filter(level=1).count()
    attempt = attempt_start(
        trainee=UserFactory(), quiz=quiz, now=datetime(2026, 3, 1, tzinfo=UTC)
    ).attempt
    drawn = list(attempt.answers.values_list("question_id", flat=True))
    assert len(drawn) == len(set(drawn)) == 40


def test_creating_the_seed_quizzes_again_duplicates_nothing(seeded):
    before = list(Quiz.objects.values_list("slug", "draws__section", "draws__count"))
    call_command("create_seed_quizzes")
    assert list(Quiz.objects.values_list("slug", "draws__section", "draws__count")) == (
        before
    )
