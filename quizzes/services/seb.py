"""A quiz's Safe Exam Browser file: stored for trainees to download, its Config
Key allowed (``quizzes.seb`` computes it; ``Quiz.seb_file_config_key`` holds it)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from quizzes.models import Quiz, QuizSebFile
from quizzes.seb import config_key_from_seb_file


@transaction.atomic
def quiz_seb_file_set(
    *, quiz: Quiz, name: str, content: bytes, now: datetime
) -> QuizSebFile:
    """Store ``content`` as the quiz's .seb file, replacing any earlier one, and
    allow its Config Key in place of the earlier file's.

    Raises ``quizzes.seb.SebFileError`` (a ``ValueError``) for a file whose key
    cannot be computed (encrypted, malformed): nothing is changed then.
    """
    key = config_key_from_seb_file(content)
    seb_file, _ = QuizSebFile.objects.update_or_create(
        quiz=quiz, defaults={"name": name, "content": content, "uploaded_at": now}
    )
    Quiz.objects.filter(pk=quiz.pk).update(seb_file_config_key=key)
    quiz.seb_file_config_key = key
    return seb_file


@transaction.atomic
def quiz_seb_file_remove(*, quiz: Quiz) -> None:
    """Delete the quiz's .seb file; its Config Key is no longer allowed.

    Refused (``ValueError``) when the quiz requires SEB and the file's key is its
    only one: no trainee could open it.
    """
    if quiz.seb_required and not (
        quiz.seb_config_keys.strip() or quiz.seb_browser_exam_keys.strip()
    ):
        raise ValueError(
            "This quiz requires Safe Exam Browser and the .seb file's Config Key "
            "is its only key: add another key, or stop requiring SEB, first."
        )
    QuizSebFile.objects.filter(quiz=quiz).delete()
    Quiz.objects.filter(pk=quiz.pk).update(seb_file_config_key="")
    quiz.seb_file_config_key = ""
