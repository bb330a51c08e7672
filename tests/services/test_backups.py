"""Backups taken during a stream of autosaves restore every acknowledged answer."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from quizzes.models import Answer
from quizzes.services.attempts import answer_save, attempt_start
from quizzes.services.backups import BackupError, database_backup, database_restore
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_backup_during_autosaves_restores_every_answer_acknowledged_before_it(
    tmp_path,
):
    section = SectionFactory()
    questions = [QuestionFactory(section=section) for _ in range(30)]
    quiz = QuizFactory(with_questions=questions)
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    first_choice = {q.pk: q.choices.first().pk for q in questions}
    acknowledged: list[int] = []
    backup_started = threading.Event()
    acknowledged_before_backup: list[int] = []

    def autosave_stream():
        try:
            for question in questions:
                answer_save(
                    attempt=attempt,
                    question_id=question.pk,
                    choice_ids=[first_choice[question.pk]],
                    flagged=None,
                    now=T0 + timedelta(seconds=1),
                )
                acknowledged.append(question.pk)
                if len(acknowledged) == 10:
                    backup_started.set()
        finally:
            connection.close()

    writer = threading.Thread(target=autosave_stream)
    writer.start()
    backup_started.wait(timeout=30)
    acknowledged_before_backup = list(acknowledged)
    backup = database_backup(destination=tmp_path / "backup")
    writer.join(timeout=60)
    assert len(acknowledged) == 30

    database_restore(source=backup)
    restored = set(
        Answer.objects.filter(attempt=attempt)
        .exclude(choice_ids=[])
        .values_list("question_id", flat=True)
    )
    assert set(acknowledged_before_backup) <= restored
    assert len(acknowledged_before_backup) >= 10


@pytest.mark.django_db
def test_restoring_a_file_that_is_not_a_backup_is_refused(tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello")
    with pytest.raises(BackupError):
        database_restore(source=bogus)
    with pytest.raises(BackupError, match="no such backup file"):
        database_restore(source=tmp_path / "missing")
