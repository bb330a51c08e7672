"""A quiz's .seb file (``services.seb``): stored, its Config Key allowed in place
of an earlier file's, and never removed from under a quiz that needs it."""

from datetime import UTC, datetime

import pytest

from quizzes.models import QuizSebFile
from quizzes.seb import SebFileError
from quizzes.services.seb import quiz_seb_file_remove, quiz_seb_file_set
from tests.factories import QuizFactory
from tests.test_seb import EXAM_CONFIG_KEY, fixture

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_file_is_stored_and_its_key_set_on_the_quiz():
    quiz = QuizFactory(seb_file_config_key="b" * 64)
    quiz_seb_file_set(quiz=quiz, name="exam.seb", content=fixture("exam.seb"), now=NOW)
    quiz.refresh_from_db()
    assert quiz.seb_file_config_key == EXAM_CONFIG_KEY
    assert QuizSebFile.objects.get(quiz=quiz).uploaded_at == NOW


def test_encrypted_file_changes_nothing():
    quiz = QuizFactory()
    with pytest.raises(SebFileError):
        quiz_seb_file_set(
            quiz=quiz, name="x.seb", content=fixture("encrypted.seb"), now=NOW
        )
    assert not QuizSebFile.objects.exists()


def test_removing_the_only_key_of_a_seb_quiz_is_refused():
    quiz = QuizFactory()
    quiz_seb_file_set(quiz=quiz, name="exam.seb", content=fixture("exam.seb"), now=NOW)
    quiz.seb_required = True
    quiz.save()
    with pytest.raises(ValueError, match="its only key"):
        quiz_seb_file_remove(quiz=quiz)
    assert QuizSebFile.objects.filter(quiz=quiz).exists()


def test_removal_keeps_the_keys_entered():
    quiz = QuizFactory(seb_required=True, seb_config_keys="c" * 64)
    quiz_seb_file_set(quiz=quiz, name="exam.seb", content=fixture("exam.seb"), now=NOW)
    quiz_seb_file_remove(quiz=quiz)
    quiz.refresh_from_db()
    assert (quiz.seb_file_config_key, quiz.seb_config_keys) == ("", "c" * 64)
