"""Taking a quiz with plain HTML forms, no JavaScript: start, answer, submit, review."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import AttemptState, QuestionKind, QuizMode
from quizzes.models import Attempt, Choice, ReviewCard
from quizzes.services.attempts import answer_save, attempt_start
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _key(answer) -> list[int]:
    return list(
        Choice.objects.filter(question_id=answer.question_id, is_correct=True)
        .order_by("order")
        .values_list("pk", flat=True)
    )


def _wrong(answer) -> int:
    return Choice.objects.filter(question_id=answer.question_id, is_correct=False)[0].pk


def _post_answer(client, attempt, answer, choices, action="next", flagged=False):
    data = {"question": answer.question_id, "choices": choices, "action": action}
    if flagged:
        data["flagged"] = "on"
    return client.post(reverse("attempt", args=[attempt.pk]), data)


def test_no_js_flow_start_save_submit_result_review(client_of, trainee, clock):
    """Forms alone take a trainee from the quiz page to the review of their answers."""
    quiz = quiz_with_questions(
        3, kinds=[QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    )
    client = client_of(trainee)

    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    attempt = Attempt.objects.get(trainee=trainee, quiz=quiz)
    assert response.status_code == 302
    assert response.url == attempt.get_absolute_url()
    answers = list(attempt.answers.order_by("position"))

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Question 1 of 3" in page.content.decode()

    response = _post_answer(client, attempt, answers[0], _key(answers[0]))
    assert response.url == f"{attempt.get_absolute_url()}?q=2"
    response = _post_answer(client, attempt, answers[1], _key(answers[1]))
    assert response.url == f"{attempt.get_absolute_url()}?q=3"
    response = _post_answer(
        client, attempt, answers[2], [_wrong(answers[2])], action="finish"
    )
    assert response.url == reverse("attempt_submit", args=[attempt.pk])

    confirm = client.get(response.url).content.decode()
    assert "3 of 3" in confirm
    response = client.post(reverse("attempt_submit", args=[attempt.pk]))
    assert response.url == reverse("attempt_result", args=[attempt.pk])

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score == 2
    result = client.get(response.url).content.decode()
    assert "66.7%: not passed" in result
    assert reverse("attempt_review", args=[attempt.pk]) in result

    review = client.get(reverse("attempt_review", args=[attempt.pk])).content.decode()
    assert review.count("Correct answer") == 4  # 1 + 2 + 1 keys
    assert "Incorrect (0 points)" in review
    assert "Explanation 3: the section names that route." in review


def test_previous_and_save_stay_in_the_attempt(client_of, trainee, clock):
    """Previous goes one question back and Save stays, each after saving the answer."""
    quiz = quiz_with_questions(3)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    second = attempt.answers.get(position=2)
    client = client_of(trainee)

    response = _post_answer(client, attempt, second, _key(second), action="previous")
    assert response.url == f"{attempt.get_absolute_url()}?q=1"
    response = _post_answer(client, attempt, second, [], action="save", flagged=True)
    assert response.url == f"{attempt.get_absolute_url()}?q=2"
    assert "Your answer to question 2 is saved." in _messages(response)

    second.refresh_from_db()
    assert second.choice_ids == []
    assert second.flagged is True


def test_attempt_page_opens_on_the_first_unanswered_question(client_of, trainee, clock):
    """Without ?q=, the page shows the first question that has no answer yet."""
    quiz = quiz_with_questions(3)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    answer_save(
        attempt=attempt,
        question_id=first.question_id,
        choice_ids=_key(first),
        flagged=None,
        now=timezone.now(),
    )
    page = client_of(trainee).get(attempt.get_absolute_url()).content.decode()
    assert "Question 2 of 3" in page
    assert 'aria-current="page" data-nav-position="2"' in page


def test_question_number_out_of_range_is_clamped(client_of, trainee, clock):
    """?q=99 shows the last question and ?q=0 the first, rather than an error."""
    quiz = quiz_with_questions(3)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    url = attempt.get_absolute_url()
    assert "Question 3 of 3" in client.get(f"{url}?q=99").content.decode()
    assert "Question 1 of 3" in client.get(f"{url}?q=0").content.decode()


def test_navigator_states_answered_unanswered_and_flagged_in_words(
    client_of, trainee, clock
):
    """Each question's state is written out, so it never depends on colour alone."""
    quiz = quiz_with_questions(3)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first, second = attempt.answers.order_by("position")[:2]
    now = timezone.now()
    answer_save(
        attempt=attempt,
        question_id=first.question_id,
        choice_ids=_key(first),
        flagged=None,
        now=now,
    )
    answer_save(
        attempt=attempt,
        question_id=second.question_id,
        choice_ids=[],
        flagged=True,
        now=now,
    )
    page = client_of(trainee).get(f"{attempt.get_absolute_url()}?q=3").content.decode()
    assert ">Answered</span>" in page
    assert ">Not answered, flagged</span>" in page
    assert ">Not answered</span>" in page


def test_late_save_is_refused_and_attempt_expires(client_of, trainee, clock):
    """A form POST after the deadline saves nothing, says time is up and expires."""
    quiz = quiz_with_questions(3, time_limit=timedelta(minutes=10))
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    clock.shift(timedelta(minutes=10, seconds=5))

    response = _post_answer(client_of(trainee), attempt, first, _key(first))

    assert response.status_code == 302
    assert response.url == reverse("attempt_result", args=[attempt.pk])
    assert any(m.startswith("Time is up") for m in _messages(response))
    attempt.refresh_from_db()
    first.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert attempt.finished_at == attempt.deadline
    assert first.choice_ids == []


def test_result_page_says_the_clock_closed_the_attempt(client_of, trainee, clock):
    """Opening an attempt after its deadline expires it; the result says why."""
    quiz = quiz_with_questions(2, time_limit=timedelta(minutes=10))
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    clock.shift(timedelta(minutes=11))
    client = client_of(trainee)

    response = client.get(attempt.get_absolute_url())
    assert response.url == reverse("attempt_result", args=[attempt.pk])
    result = client.get(response.url).content.decode()
    assert "Time is up: the clock closed this attempt at 09:10" in result
    assert "Closed by the clock" in result
    assert "10 minutes" in result  # time used: started 09:00, closed at 09:10


def test_saving_into_a_finished_attempt_is_refused(client_of, trainee, clock):
    """After submitting, a stale form POST changes nothing and says why."""
    quiz = quiz_with_questions(2)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    first = attempt.answers.get(position=1)

    response = _post_answer(client, attempt, first, _key(first))

    assert response.url == reverse("attempt_result", args=[attempt.pk])
    assert "answers can no longer change" in " ".join(_messages(response))
    first.refresh_from_db()
    assert first.choice_ids == []


def test_choice_from_another_question_is_refused_with_a_message(
    client_of, trainee, clock
):
    """An option id that is not one of the question's is a message, not a 500."""
    quiz = quiz_with_questions(2)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first, second = attempt.answers.order_by("position")

    response = _post_answer(client_of(trainee), attempt, first, _key(second))

    assert response.status_code == 302
    assert response.url == f"{attempt.get_absolute_url()}?q=1"
    assert _messages(response) == ["That answer could not be read; choose again."]
    first.refresh_from_db()
    assert first.choice_ids == []


def test_two_choices_on_a_single_answer_question_are_refused(client_of, trainee, clock):
    """The service's refusal (one answer only) comes back as the message."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get()

    response = _post_answer(
        client_of(trainee), attempt, first, first.choice_order[:2], action="save"
    )

    assert "takes one answer" in _messages(response)[0]
    first.refresh_from_db()
    assert first.choice_ids == []


def test_unknown_question_is_refused_with_a_message(client_of, trainee, clock):
    """A question id outside the attempt is refused without touching anything."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    response = client_of(trainee).post(
        reverse("attempt", args=[attempt.pk]),
        {"question": 999999, "action": "save"},
    )
    assert response.status_code == 302
    assert _messages(response) == ["That question is not part of this attempt."]


def test_tutor_confirm_locks_the_answer_and_shows_feedback(client_of, trainee, clock):
    """Confirming in tutor mode locks the answer and reveals its key and sources."""
    quiz = quiz_with_questions(2, mode=QuizMode.TUTOR, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    client = client_of(trainee)

    before = client.get(f"{attempt.get_absolute_url()}?q=1").content.decode()
    assert "Confirm answer" in before
    assert "Rationale 1.1" not in before

    response = _post_answer(client, attempt, first, [_wrong(first)], action="confirm")
    assert response.url == f"{attempt.get_absolute_url()}?q=1"
    first.refresh_from_db()
    assert first.locked_at is not None

    page = client.get(response.url).content.decode()
    assert "Your answer does not match the key." in page
    assert "Correct answer</strong>" in page
    for order in range(1, 5):
        assert f"Rationale 1.{order}" in page
    assert "Explanation 1: the section names that route." in page
    assert "<mark>Passage 1: intramuscular injection" in page
    # Every option of the locked answer, and its strike-out.
    assert page.count(" disabled>") == 8
    assert "Confirm answer" not in page
    # The other question's feedback stays hidden.
    second = client.get(f"{attempt.get_absolute_url()}?q=2").content.decode()
    assert "Rationale 2.1" not in second
    assert "Explanation 2" not in second


def test_a_confirmed_answer_cannot_be_changed_but_may_be_flagged(
    client_of, trainee, clock
):
    """After confirming, Save keeps the locked choice and only updates the flag."""
    quiz = quiz_with_questions(1, mode=QuizMode.TUTOR, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answer = attempt.answers.get()
    client = client_of(trainee)
    _post_answer(client, attempt, answer, _key(answer), action="confirm")

    # Disabled inputs are not posted: the form sends the flag only.
    response = _post_answer(client, attempt, answer, [], action="save", flagged=True)

    assert "is saved" in _messages(response)[0]
    answer.refresh_from_db()
    assert answer.choice_ids == _key(answer)
    assert answer.flagged is True


def test_confirm_without_a_choice_is_refused(client_of, trainee, clock):
    """Tutor mode: confirming an empty answer asks for a choice first."""
    quiz = quiz_with_questions(1, mode=QuizMode.TUTOR, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answer = attempt.answers.get()

    response = _post_answer(client_of(trainee), attempt, answer, [], action="confirm")

    assert _messages(response) == ["Choose an answer before confirming it."]
    answer.refresh_from_db()
    assert answer.locked_at is None


def test_submit_page_lists_unanswered_and_flagged_questions(client_of, trainee, clock):
    """Before submitting, the trainee sees which questions to revisit, as links."""
    quiz = quiz_with_questions(3)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    answer_save(
        attempt=attempt,
        question_id=first.question_id,
        choice_ids=_key(first),
        flagged=True,
        now=timezone.now(),
    )
    page = client_of(trainee).get(reverse("attempt_submit", args=[attempt.pk]))
    html = page.content.decode()
    url = attempt.get_absolute_url()
    assert "1 of 3" in html
    not_answered, flagged = html.split("Flagged for review</h2>")
    assert f'{url}?q=2"' in not_answered and f'{url}?q=3"' in not_answered
    assert f'{url}?q=1"' not in not_answered
    assert f'{url}?q=1"' in flagged.split("</ul>")[0]


def test_submitting_twice_keeps_the_first_result(client_of, trainee, clock):
    """A double-clicked Submit finishes once; the second POST just shows the result."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    finished_at = attempt.finished_at
    clock.shift(timedelta(minutes=1))

    response = client.post(reverse("attempt_submit", args=[attempt.pk]))

    assert response.url == reverse("attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.finished_at == finished_at


def test_result_of_an_attempt_in_progress_sends_back_to_it(client_of, trainee, clock):
    """There is no result before the attempt is submitted."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    response = client_of(trainee).get(reverse("attempt_result", args=[attempt.pk]))
    assert response.url == attempt.get_absolute_url()


def test_countdown_is_rendered_by_the_server(client_of, trainee, clock):
    """The time left is in the HTML itself, right without JavaScript."""
    quiz = quiz_with_questions(1, time_limit=timedelta(minutes=12))
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    clock.shift(timedelta(minutes=2, seconds=30))
    page = client_of(trainee).get(attempt.get_absolute_url()).content.decode()
    assert 'Time left: <span class="timer-clock" data-timer>09:30</span>' in page
    assert 'data-seconds-left="570"' in page


def test_untimed_quiz_shows_no_countdown(client_of, trainee, clock):
    quiz = quiz_with_questions(1, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    page = client_of(trainee).get(attempt.get_absolute_url()).content.decode()
    assert "data-timer>" not in page
    assert 'data-seconds-left=""' in page


def test_choices_are_labelled_radios_or_checkboxes_in_a_fieldset(
    client_of, trainee, clock
):
    """Single answers are radio buttons, select-all-that-apply are checkboxes; each
    has a label, and the stem is the group's legend."""
    quiz = quiz_with_questions(
        2, kinds=[QuestionKind.SINGLE, QuestionKind.MULTIPLE], time_limit=None
    )
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    for position, input_type, hint in [
        (1, "radio", "Choose one answer."),
        (2, "checkbox", "Select all that apply."),
    ]:
        page = client.get(f"{attempt.get_absolute_url()}?q={position}")
        html = page.content.decode()
        answer = attempt.answers.get(position=position)
        assert f'<legend class="stem">Stem {position}:' in html
        assert hint in html
        for choice_id in answer.choice_order:
            assert (
                f'<input type="{input_type}" name="choices" value="{choice_id}" '
                f'id="choice-{choice_id}">' in html
            )
            assert f'<label for="choice-{choice_id}" class="choice-text">' in html
        assert '<label for="flagged">Flag for review</label>' in html


def test_select_all_that_apply_is_said_once_when_the_stem_says_it(
    client_of, trainee, clock
):
    """An imported stem ending "(Select all that apply.)" is not followed by the
    same words as a hint; a stem without them still gets the hint."""
    quiz = quiz_with_questions(
        2, kinds=[QuestionKind.MULTIPLE, QuestionKind.MULTIPLE], time_limit=None
    )
    said = quiz.questions.order_by("pk").first()
    said.stem = "Which routes act rapidly? (Select all that apply.)"
    said.save()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    for answer in attempt.answers.order_by("position"):
        html = client.get(
            f"{attempt.get_absolute_url()}?q={answer.position}"
        ).content.decode()
        expected = 0 if answer.question_id == said.pk else 1
        assert html.lower().count("select all that apply") == 1
        assert html.count('id="kind-hint"') == expected
        assert ('aria-describedby="kind-hint"' in html) == bool(expected)


def test_the_result_says_the_page_submitted_itself_only_at_the_deadline(
    client_of, trainee, clock
):
    """?auto=1 (the page's own submit at 00:00) shows a note on the result of an
    attempt submitted at its deadline; on one submitted early it is ignored."""
    note = "the page submitted your attempt by itself at 00:00"
    client = client_of(trainee)
    results = []
    for minutes in (30, 5):  # the quiz's 30 minutes ran out; 5 minutes in
        quiz = quiz_with_questions(1, time_limit=timedelta(minutes=30))
        started = timezone.now()
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=started).attempt
        clock.move_to(started + timedelta(minutes=minutes, seconds=1))
        client.post(reverse("attempt_submit", args=[attempt.pk]))
        url = reverse("attempt_result", args=[attempt.pk])
        results.append(note in client.get(f"{url}?auto=1").content.decode())
        assert note not in client.get(url).content.decode()
    assert results == [True, False]


def test_no_js_form_strikes_options_out_and_the_review_shows_them(
    client_of, trainee, clock
):
    """Without scripts the strike-out boxes post with the answer; the page and the
    review show the options struck through, and the score ignores them."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answer = attempt.answers.get()
    client = client_of(trainee)
    key = _key(answer)
    url = reverse("attempt", args=[attempt.pk])
    data = {"question": answer.question_id, "choices": key, "action": "save"}
    client.post(url, data | {"struck": [*key, _wrong(answer)]})
    answer.refresh_from_db()
    assert answer.struck == [
        c for c in answer.choice_order if c in {*key, _wrong(answer)}
    ]

    page = client.get(f"{url}?q=1").content.decode()
    assert page.count(" is-struck") == 2
    assert page.count("data-strike checked") == 2

    client.post(url, data)  # every box unticked: none struck
    answer.refresh_from_db()
    assert answer.struck == []

    client.post(url, data | {"struck": key})
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.score == 1
    review = client.get(reverse("attempt_review", args=[attempt.pk])).content.decode()
    assert review.count(" · struck out") == 1
    assert "review-choice is-key is-chosen is-struck" in review


@pytest.mark.parametrize(
    ("confidence", "stability"), [("unsure", 1.2931), ("sure", 8.2956), ("", 2.3065)]
)
def test_tutor_confirm_with_a_confidence_rates_a_right_answer_hard_or_easy(
    client_of, trainee, clock, confidence, stability
):
    """Tutor mode offers Sure / Unsure with Confirm (no JS: posted with the form).
    A right answer given "unsure" is reviewed as Hard, "sure" as Easy, and with
    neither as Good: FSRS's first stability for each rating."""
    quiz = quiz_with_questions(1, mode=QuizMode.TUTOR, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answer = attempt.answers.get()
    client = client_of(trainee)
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "How sure are you?" in page
    data = {
        "question": answer.question_id,
        "choices": _key(answer),
        "action": "confirm",
        "confidence": confidence,
    }
    client.post(reverse("attempt", args=[attempt.pk]), data)
    card = ReviewCard.objects.get(trainee=trainee, question_id=answer.question_id)
    assert card.stability == pytest.approx(stability, abs=1e-4)
    locked = client.get(attempt.get_absolute_url()).content.decode()
    assert "How sure are you?" not in locked
