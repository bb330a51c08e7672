"""The JSON API the attempt page's script uses; schema at /api/openapi.json.

Session authentication with CSRF (django-ninja's ``django_auth``). Views stay thin:
they validate through the schemas, call ``quizzes.services.attempts`` and shape the
answer. Nothing here returns a key, rationale, explanation or source quote for an
attempt in progress, except a tutor-mode answer that is already locked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth
from pydantic import ConfigDict, Field, StrictBool, StrictInt
from pydantic import ValidationError as PydanticValidationError

from quizzes.models import Attempt, Quiz
from quizzes.presenters import attempt_feedback, attempt_questions
from quizzes.seb import request_admitted
from quizzes.selectors import (
    attempt_for_trainee,
    quizzes_visible_to,
    regrade_notices,
    review_allowed,
)
from quizzes.services import attempts as service

api = NinjaAPI(
    title="Clinical quizzes API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_url=None,
)


class ErrorOut(Schema):
    error: str
    # A refusal a client can act on, e.g. "seb_required" (403): open the quiz in
    # Safe Exam Browser.
    code: str | None = None


SEB_REQUIRED = (
    "This quiz must be sat in Safe Exam Browser: this request does not carry a "
    "valid X-SafeExamBrowser-ConfigKeyHash or X-SafeExamBrowser-RequestHash for "
    "its URL. Open the quiz's page in Safe Exam Browser."
)


class SebRequired(Exception):
    """The quiz requires Safe Exam Browser and the request does not prove it."""


def _require_seb(request, quiz: Quiz) -> None:
    """Refuse (403, ``seb_required``) a request that the quiz's Safe Exam Browser
    rule does not admit (``quizzes.seb.request_admitted``)."""
    if not request_admitted(quiz=quiz, request=request):
        raise SebRequired


class ChoiceOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    stem: str
    choices: list[ChoiceOut]


class AnswerOut(Schema):
    question_id: int
    choices: list[int]
    flagged: bool
    saved_at: datetime | None
    locked: bool
    # The options struck out (a study aid, never scored).
    struck: list[int]
    # The number of the last change stored: a new tab numbers its changes above it.
    seq: int


class ChoiceFeedbackOut(Schema):
    id: int
    is_correct: bool
    rationale: str


class FeedbackOut(Schema):
    question_id: int
    correct: bool
    score: float | None
    correct_choice_ids: list[int]
    choices: list[ChoiceFeedbackOut]
    explanation: str
    source_quote: str


class ResultOut(Schema):
    state: str
    score: float
    max_score: int
    percent: float
    passed: bool
    # Why the score changed after the attempt finished, newest first (a regrade).
    regrade_notices: list[str]


class AttemptStartOut(Schema):
    id: int
    state: str
    deadline: datetime | None
    seconds_left: int | None
    questions: list[QuestionOut]


class AttemptOut(Schema):
    id: int
    quiz: str
    state: str
    deadline: datetime | None
    seconds_left: int | None
    questions: list[QuestionOut]
    answers: list[AnswerOut]
    result: ResultOut | None
    review_allowed: bool
    feedback: list[FeedbackOut]


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    choices: list[StrictInt] = Field(max_length=20)
    flagged: StrictBool | None = None
    # The options struck out, all of them (not a change); left out: kept as they
    # are. Never scored.
    struck: list[StrictInt] | None = Field(default=None, max_length=20)
    # The page's number for this change of this question; a change not above the
    # stored one is ignored (an older replay). Left out: the save always applies.
    seq: StrictInt | None = Field(default=None, gt=0, le=2**31 - 1)


class SavedOut(Schema):
    saved: bool
    # False: an older (or the same) change replayed late; the answer kept is the
    # newer one numbered ``seq``. Either way the page drops it from its queue.
    applied: bool
    seq: int
    seconds_left: int | None


class ConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Tutor mode: how sure the trainee was. A right answer given "unsure" is
    # reviewed as Hard, "sure" as Easy (spaced review); left out, as Good.
    confidence: Literal["unsure", "sure"] | None = None


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
CONFIRM_BODY = (
    'body: send no body, or JSON (application/json) such as {"confidence": "sure"}.'
)


class ConfirmOut(Schema):
    locked: bool
    seconds_left: int | None
    feedback: FeedbackOut


@api.exception_handler(service.AttemptError)
def attempt_error(request, exc: service.AttemptError):
    status = {
        service.InvalidAnswer: 400,
        service.QuestionNotInAttempt: 404,
    }.get(type(exc), 409)
    return api.create_response(request, {"error": str(exc)}, status=status)


@api.exception_handler(SebRequired)
def seb_required(request, exc: SebRequired):
    return api.create_response(
        request, {"error": SEB_REQUIRED, "code": "seb_required"}, status=403
    )


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', []) if p != 'body')}: {e.get('msg')}"
        for e in exc.errors
    ]
    return api.create_response(
        request, {"error": "; ".join(problems) or "invalid request"}, status=400
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"error": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"error": "Log in first."}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


# Every operation may answer these: a malformed request, no session, a failed CSRF
# check, or an object that is not found (or not the trainee's).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _result(attempt: Attempt) -> dict | None:
    if attempt.is_in_progress:
        return None
    return {
        "state": attempt.state,
        "score": float(attempt.score),
        "max_score": attempt.max_score,
        "percent": attempt.percent or 0.0,
        "passed": (attempt.percent or 0.0) >= attempt.quiz.pass_mark,
        "regrade_notices": regrade_notices(attempt_ids=[attempt.pk]).get(
            attempt.pk, []
        ),
    }


@api.post(
    "/quizzes/{slug}/attempts",
    response={200: AttemptStartOut, 201: AttemptStartOut, 409: ErrorOut, **ERRORS},
    summary="Start an attempt (or return the one in progress)",
)
def start_attempt(request, slug: str):
    now = timezone.now()
    quiz = get_object_or_404(quizzes_visible_to(trainee=request.user), slug=slug)
    _require_seb(request, quiz)
    result = service.attempt_start(trainee=request.user, quiz=quiz, now=now)
    attempt = result.attempt
    body = {
        "id": attempt.pk,
        "state": attempt.state,
        "deadline": attempt.deadline,
        "seconds_left": attempt.seconds_left(now),
        "questions": attempt_questions(attempt),
    }
    return Status(201 if result.created else 200, body)


@api.get(
    "/attempts/{attempt_id}",
    response={200: AttemptOut, **ERRORS},
    summary="An attempt: state, time left, saved answers; feedback once allowed",
)
def get_attempt(request, attempt_id: int):
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    _require_seb(request, attempt.quiz)
    attempt = service.attempt_expire_if_due(attempt=attempt, now=now)
    answers = list(attempt.answers.select_related("question", "question_version"))
    return {
        "id": attempt.pk,
        "quiz": attempt.quiz.slug,
        "state": attempt.state,
        "deadline": attempt.deadline,
        "seconds_left": attempt.seconds_left(now),
        "questions": attempt_questions(attempt, answers=answers),
        "answers": [
            {
                "question_id": a.question_id,
                "choices": a.choice_ids,
                "flagged": a.flagged,
                "saved_at": a.saved_at,
                "locked": a.locked_at is not None,
                "struck": a.struck,
                "seq": a.seq,
            }
            for a in answers
        ],
        "result": _result(attempt),
        "review_allowed": review_allowed(attempt=attempt, now=now),
        "feedback": attempt_feedback(attempt, answers=answers, now=now),
    }


@api.put(
    "/attempts/{attempt_id}/answers/{question_id}",
    response={200: SavedOut, 409: ErrorOut, **ERRORS},
    summary="Autosave one answer and its flag (an older numbered change is ignored)",
)
def save_answer(request, attempt_id: int, question_id: int, payload: AnswerIn):
    now = timezone.now()
    saved = service.answer_save(
        trainee=request.user,
        attempt_id=attempt_id,
        question_id=question_id,
        choice_ids=payload.choices,
        flagged=payload.flagged,
        now=now,
        seq=payload.seq,
        struck=payload.struck,
        # A quiz without SEB is saved in one statement, its quiz never read.
        quiz_check=lambda quiz: _require_seb(request, quiz),
    )
    return {
        "saved": True,
        "applied": saved.applied,
        "seq": saved.answer.seq,
        "seconds_left": saved.seconds_left,
    }


@api.post(
    "/attempts/{attempt_id}/answers/{question_id}/confirm",
    response={200: ConfirmOut, 409: ErrorOut, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": ConfirmIn.model_json_schema()}},
        }
    },
    summary="Tutor mode: lock a saved answer (with an optional confidence) and "
    "get its feedback",
)
def confirm_answer(request, attempt_id: int, question_id: int):
    now = timezone.now()
    payload = _confirm_payload(request)
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    _require_seb(request, attempt.quiz)
    answer = service.answer_confirm(
        attempt=attempt,
        question_id=question_id,
        now=now,
        confidence=payload.confidence,
    )
    attempt.refresh_from_db()
    feedback = attempt_feedback(attempt, answers=[answer], now=now)
    return {
        "locked": True,
        "seconds_left": attempt.seconds_left(now),
        "feedback": feedback[0],
    }


def _confirm_payload(request) -> ConfirmIn:
    """The confirm body: none, an empty form, or JSON (``ConfirmIn``).

    Read by hand rather than as a ninja body parameter: the body-less POST that
    clients have always sent is a form without fields, which the CSRF check has
    already read, and ninja would fail to read it again. A body that is neither an
    empty form nor JSON is a 400 saying so, as is a JSON body that does not fit.
    """
    if request.content_type in FORM_TYPES:
        if request.POST or request.FILES:
            raise HttpError(400, CONFIRM_BODY)
        return ConfirmIn()
    if not request.body.strip():
        return ConfirmIn()
    if request.content_type != "application/json":
        raise HttpError(400, CONFIRM_BODY)
    try:
        return ConfirmIn.model_validate_json(request.body)
    except PydanticValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
            for e in error.errors(include_url=False)
        ]
        raise HttpError(400, "; ".join(problems)) from None


@api.post(
    "/attempts/{attempt_id}/submit",
    response={200: ResultOut, **ERRORS},
    summary="Finish and score the attempt; a second call returns the same result",
)
def submit_attempt(request, attempt_id: int):
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    _require_seb(request, attempt.quiz)
    attempt = service.attempt_finish(attempt=attempt, now=timezone.now())
    return _result(attempt)
