"""The result page says where the trainee stands: counts, time per question and,
with at least 10 peers, the percentile of their first attempt, nothing else about
anyone else."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import AttemptState, QuestionKind
from quizzes.models import Attempt
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.factories import UserFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _sit(trainee, quiz, *, right: int, skip: int = 0, minutes: int = 4):
    """Start and finish an attempt: the first ``right`` questions right, the last
    ``skip`` unanswered, the rest wrong; ``minutes`` long."""
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    answers = list(attempt.answers.order_by("position"))
    for i, answer in enumerate(answers[: len(answers) - skip]):
        # No shuffling: the first option is the key, the second is wrong.
        choice = answer.choice_order[0] if i < right else answer.choice_order[1]
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[choice],
            flagged=None,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now + timedelta(minutes=minutes))


def _peers(quiz, scores, *, number=1, state=AttemptState.FINISHED):
    """One other trainee per score, each with one attempt out of 4 points."""
    start = timezone.now() - timedelta(days=1)
    for score in scores:
        Attempt.objects.create(
            trainee=UserFactory(),
            quiz=quiz,
            number=number,
            state=state,
            started_at=start,
            finished_at=None if state == AttemptState.IN_PROGRESS else start,
            score=None if state == AttemptState.IN_PROGRESS else Decimal(score),
            max_score=4,
        )


def _result(client_of, trainee, attempt) -> str:
    response = client_of(trainee).get(reverse("attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _standing(page: str) -> str:
    """The "Where you stand" list alone (slugs and ids elsewhere hold digits)."""
    return page.split('<dl class="facts standing">')[1].split("</dl>")[0]


def test_result_counts_correct_incorrect_and_omitted(client_of, trainee, clock):
    """Two right, one wrong, one unanswered, over 4 minutes: one minute each."""
    quiz = quiz_with_questions(4)
    attempt = _sit(trainee, quiz, right=2, skip=1, minutes=4)
    page = _result(client_of, trainee, attempt)
    assert "<dt>Correct</dt><dd>2</dd>" in page
    assert "<dt>Incorrect</dt><dd>1</dd>" in page
    assert "<dt>Not answered</dt><dd>1</dd>" in page
    assert "Partly correct" not in page
    assert "1 minute on average (the time used divided by the 4 questions)" in page


def test_result_shows_the_percentile_among_ten_peers(client_of, trainee, clock):
    """Ten peers: 3 lower and 2 tied with the trainee's 2 of 4 → 40th percentile."""
    quiz = quiz_with_questions(4)
    _peers(quiz, [0, 1, 1, 2, 2, 3, 3, 4, 4, 4])
    attempt = _sit(trainee, quiz, right=2)
    page = _result(client_of, trainee, attempt)
    assert "<dt>Percentile</dt><dd>40:" in page


def test_result_hides_the_percentile_with_nine_peers(client_of, trainee, clock):
    """Nine peers: no percentile and no hint of how many peers there are."""
    quiz = quiz_with_questions(4)
    _peers(quiz, [0, 1, 1, 2, 2, 3, 3, 4, 4])
    attempt = _sit(trainee, quiz, right=2)
    page = _result(client_of, trainee, attempt)
    assert "Percentile" not in page and "percentile" not in page
    assert "peers" not in page and "9" not in _standing(page)


def test_percentile_counts_first_finished_attempts_only(client_of, trainee, clock):
    """Peers' second attempts and unfinished first ones do not count; a later
    attempt of the trainee's own shows the rank of their first attempt."""
    quiz = quiz_with_questions(4)
    _peers(quiz, [4] * 9)
    _peers(quiz, [4] * 5, number=2)
    _peers(quiz, [0] * 5, state=AttemptState.IN_PROGRESS)
    first = _sit(trainee, quiz, right=2)
    assert "Percentile" not in _result(client_of, trainee, first)

    _peers(quiz, [0])
    second = _sit(trainee, quiz, right=4)
    page = _result(client_of, trainee, second)
    # First attempt 2 of 4: above 1 of 10 peers, below 9 → 10, not 55 (tied).
    assert "<dt>Percentile</dt><dd>10:" in page


def test_percentile_leaves_staff_out_of_the_peers(client_of, trainee, clock):
    """Instructors trying the quiz are not peers: 9 trainees and one staff
    member are not enough."""
    quiz = quiz_with_questions(4)
    _peers(quiz, [1] * 9)
    staff = UserFactory(is_staff=True)
    _sit(staff, quiz, right=1)
    attempt = _sit(trainee, quiz, right=2)
    assert "Percentile" not in _result(client_of, trainee, attempt)


def test_personal_test_never_shows_a_percentile(client_of, trainee, clock):
    """A personal test has no peers: no percentile even with ten other attempts."""
    quiz = quiz_with_questions(4, owner=trainee, attempts_allowed=1)
    _peers(quiz, [0] * 10)
    attempt = _sit(trainee, quiz, right=2)
    page = _result(client_of, trainee, attempt)
    assert "<dt>Correct</dt><dd>2</dd>" in page
    assert "Percentile" not in page


def test_result_shows_no_other_trainee_data(client_of, trainee, clock):
    """Only the percentile number: no peer's name, score or count on the page."""
    quiz = quiz_with_questions(4)
    start = timezone.now() - timedelta(days=1)
    for i in range(12):
        Attempt.objects.create(
            trainee=UserFactory(username=f"peer-name-{i}"),
            quiz=quiz,
            number=1,
            state=AttemptState.FINISHED,
            started_at=start,
            finished_at=start,
            score=Decimal("3.25"),
            max_score=4,
        )
    attempt = _sit(trainee, quiz, right=4)
    page = _result(client_of, trainee, attempt)
    assert "<dt>Percentile</dt><dd>100:" in page
    assert "peer-name" not in page and "81.2" not in page and "3.25" not in page
    assert "12" not in _standing(page)


def test_result_counts_partly_correct_answers_apart(client_of, trainee, clock):
    """One of the two keys of a multiple-answer question earns part of a point:
    counted as partly correct, neither correct nor incorrect."""
    quiz = quiz_with_questions(2, kinds=[QuestionKind.MULTIPLE])
    attempt = _sit(trainee, quiz, right=2)
    page = _result(client_of, trainee, attempt)
    assert "<dt>Partly correct</dt><dd>2 " in page
    assert "<dt>Correct</dt><dd>0</dd>" in page
    assert "<dt>Incorrect</dt><dd>0</dd>" in page
