"""What the malformed-body tests share: a trainee mid-attempt, and their session.

The clients enforce CSRF as a browser meets it (Django's test client skips the
check by default, and the check is where a malformed body used to break).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from quizzes.choices import AttemptState, QuizMode
from quizzes.models import Answer, Attempt
from quizzes.services.attempts import answer_save, attempt_start
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory


@dataclass
class World:
    client: Client
    csrf: str
    attempt: Attempt
    question_id: int
    saved_choices: list[int]
    slug: str

    def assert_nothing_lost(self) -> None:
        """The saved answer is still there and the attempt is still in progress."""
        answer = Answer.objects.get(attempt=self.attempt, question_id=self.question_id)
        assert answer.choice_ids == self.saved_choices
        self.attempt.refresh_from_db()
        assert self.attempt.state == AttemptState.IN_PROGRESS


def csrf_client(user) -> tuple[Client, str]:
    """A logged-in client that enforces CSRF, and the token it sends back."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def trainee_mid_attempt() -> World:
    """A trainee with a tutor-mode attempt in progress and one answer saved."""
    section = SectionFactory()
    quiz = QuizFactory(
        mode=QuizMode.TUTOR,
        with_questions=[QuestionFactory(section=section) for _ in range(3)],
    )
    trainee = UserFactory()
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    answer = attempt.answers.order_by("position").first()
    answer_save(
        attempt=attempt,
        question_id=answer.question_id,
        choice_ids=answer.choice_order[:1],
        flagged=None,
        now=now,
    )
    client, token = csrf_client(trainee)
    return World(
        client=client,
        csrf=token,
        attempt=attempt,
        question_id=answer.question_id,
        saved_choices=answer.choice_order[:1],
        slug=quiz.slug,
    )
