"""Trainee-facing pages: the quiz list, an attempt from start to review, history.

Every page works as plain HTML forms; ``static/quizzes/attempt.js`` only adds the
live countdown and autosave through the JSON API. Views stay thin: the rules live in
``services.attempts`` (writes), ``selectors`` (scoped reads) and ``presenters`` (what
a trainee may see of a question). Each view takes ``now`` once, so one request sees
one clock.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.builder import (
    COUNT_MAX,
    COUNT_MIN,
    POOLS,
    SECONDS_DEFAULT,
    SECONDS_MAX,
    SECONDS_MIN,
)
from quizzes.charts import TimePoint, mastery_band, score_trend_svg
from quizzes.choices import (
    AttemptState,
    QuestionKind,
    QuizMode,
    ReportCategory,
    ReviewFrom,
    ReviewShows,
)
from quizzes.dashboard import (
    Placed,
    SectionState,
    next_step,
    quiz_groups,
    study_streak,
    time_left_text,
)
from quizzes.forms import AnswerForm, BuilderForm, QuestionRefForm, ReviewSessionForm
from quizzes.models import Answer, Attempt, Quiz, QuizSebFile
from quizzes.models.reports import REPORT_TEXT_MAX
from quizzes.presenters import (
    REVIEW_FILTERS,
    attempt_feedback,
    attempt_questions,
    choice_rows,
    kind_hint,
    pinned_questions,
    question_passages,
    review_filter_links,
    review_items,
    review_shows,
)
from quizzes.progress import ProgressFilter, top_sections, trainee_mastery
from quizzes.quiz_settings import QuizSettings
from quizzes.seb import request_admitted, seb_link
from quizzes.selectors import (
    accommodation_for,
    assigned_quizzes,
    attempt_answers_with_sections,
    attempt_for_trainee,
    attempt_section_results,
    attempts_in_progress,
    finished_scores,
    first_attempt_percents,
    late_changes_for,
    personal_tests_for,
    problem_reports_for_attempt,
    quiz_section_ids,
    quiz_settings_map,
    quiz_standings,
    quizzes_visible_to,
    regrade_notices,
    review_allowed,
    review_due_count,
    review_next_due,
    review_refusal,
    study_days,
)
from quizzes.services.attempts import (
    AttemptClosed,
    AttemptError,
    answer_confirm,
    answer_flag,
    answer_save,
    attempt_expire_if_due,
    attempt_finish,
    attempt_start,
    attempt_start_refusal,
    attempts_close_expired,
)
from quizzes.services.personal_tests import (
    REVIEW_LIMIT_DEFAULT,
    BuildRefused,
    ReviewRefused,
    builder_pool_counts,
    builder_sections,
    personal_test_build,
    review_session_start,
)
from quizzes.services.reports import ReportError, report_create
from quizzes.standing import answer_counts, percentile_rank, time_per_question

HISTORY_PAGE_SIZE = 50
# The header that lets static/quizzes/sw.js keep a copy of a page for offline use.
OFFLINE_PAGE_HEADER = "X-Offline-Page"
SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "quizzes" / "sw.js"


@login_required
@require_GET
def home(request):
    """The trainee's dashboard: attempts in progress first, then mastery per
    section, reviews due, the study streak, scores over time and a suggested next
    step, then the quizzes by document and section, exams apart from practice.

    A constant number of queries whatever the trainee's history
    (tests/views/test_queries.py lists them): every figure over answers is one
    grouped query.
    """
    now = timezone.now()
    trainee = request.user
    _close_due(trainee, now)
    standings = quiz_standings(trainee=trainee, now=now, quizzes=assigned_quizzes())
    sections = top_sections()
    mastery = trainee_mastery(
        trainee=trainee, sections=sections, filters=ProgressFilter()
    )
    pools = builder_pool_counts(trainee=trainee, sections=sections)
    step = next_step(
        [
            SectionState(
                section_id=s.id,
                title=s.title,
                percent=m.percent,
                unused=pools[s.id].unused,
                incorrect=pools[s.id].incorrect,
            )
            for s, m in mastery
            if pools[s.id].total
        ]
    )
    groups = quiz_groups(
        [
            Placed(
                item={
                    "standing": s,
                    "time_limit": duration_text(s.settings.time_limit),
                    "availability": availability_text(s.settings, now),
                },
                quiz_id=s.quiz.pk,
                is_exam=s.quiz.mode == QuizMode.EXAM,
            )
            for s in standings
        ],
        sections=sections,
        quiz_sections=quiz_section_ids(quiz_ids=[s.quiz.pk for s in standings]),
    )
    scores = finished_scores(trainee=trainee)
    context = {
        "in_progress": [
            {"attempt": a, "time_left": time_left_text(a.seconds_left(now))}
            for a in attempts_in_progress(trainee=trainee)
        ],
        "mastery": [
            {"section": s, "mastery": m, "band": mastery_band(m.percent)}
            for s, m in mastery
        ],
        "several_documents": len({s.document_title for s in sections}) > 1,
        "reviews_due": review_due_count(trainee=trainee, now=now),
        "streak": study_streak(
            days=study_days(trainee=trainee), today=timezone.localdate(now)
        ),
        "scores": scores,
        "scores_chart": _scores_chart(scores),
        "next_step": step,
        "groups": groups,
        "my_tests": personal_tests_for(trainee=trainee, limit=MY_TESTS_ON_HOME),
    }
    return render(request, "quizzes/home.html", context)


# The latest personal tests the dashboard lists; the in-progress ones show above.
MY_TESTS_ON_HOME = 5


def _scores_chart(scores: list[Attempt]):
    points = [
        TimePoint(
            when=timezone.localtime(a.finished_at),
            percent=a.percent or 0.0,
            label=f"{a.quiz.title}, attempt {a.number}",
        )
        for a in scores
    ]
    desc = (
        f"Your last {len(points)} finished attempts, oldest first, from "
        f"{min(p.percent for p in points):g} % to {max(p.percent for p in points):g} "
        "%. The table below lists each one."
        if points
        else "No finished attempt yet."
    )
    return score_trend_svg(
        points, chart_id="scores", title="Your scores over time", desc=desc
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def build_test(request):
    """The custom test builder: a POST builds the test from the trainee's own
    history and starts its attempt; a refusal shows next to its field (400)."""
    sections = builder_sections(trainee=request.user)
    form = BuilderForm(
        request.POST or None, section_ids=[s.section.id for s in sections]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            built = personal_test_build(
                trainee=request.user,
                section_ids=data["sections"],
                count=data["count"],
                mode=data["mode"],
                pools=data["pools"],
                seconds_per_question=data["seconds_per_question"],
                now=now,
                rng=random.SystemRandom(),
            )
        except BuildRefused as refused:
            for field, problem in refused.problems.items():
                form.add_error(field, problem)
        else:
            result = attempt_start(trainee=request.user, quiz=built.quiz, now=now)
            if built.shortfall:
                messages.warning(request, built.shortfall)
            return redirect(result.attempt)
    if form.is_bound:
        chosen = {str(v) for v in form["sections"].value() or []}
        pools_chosen = set(form["pools"].value() or [])
    else:
        # A link may pre-select (the dashboard's next step: ?section=ID&pool=…);
        # what is not on offer is ignored, as a stale link would be.
        chosen = set(request.GET.getlist("section"))
        pools_chosen = {p for p in request.GET.getlist("pool") if p in POOLS}
        pools_chosen = pools_chosen or {"unused"}
    context = {
        "form": form,
        "sections": [
            {"item": s, "checked": str(s.section.id) in chosen} for s in sections
        ],
        # A first visit offers the unused questions (or the link's pool); a
        # refused form shows what was sent, an empty choice included.
        "pools_chosen": pools_chosen,
        "count_min": COUNT_MIN,
        "count_max": COUNT_MAX,
        "seconds_min": SECONDS_MIN,
        "seconds_max": SECONDS_MAX,
        "count_value": form["count"].value() or 10,
        "mode_value": form["mode"].value() or "tutor",
        "seconds_value": form["seconds_per_question"].value() or SECONDS_DEFAULT,
        "several_documents": len({s.section.document_title for s in sections}) > 1,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "quizzes/build.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_due(request):
    """The "Review due" page: how many cards are due and when the next one is; a
    POST builds the tutor-mode session of the due cards and starts it. A refusal
    (a bad count, nothing due) shows next to the count field (400)."""
    now = timezone.now()
    form = ReviewSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]
        try:
            attempt = review_session_start(
                trainee=request.user,
                now=now,
                limit=REVIEW_LIMIT_DEFAULT if count is None else count,
            )
        except ReviewRefused as refused:
            form.add_error("count", refused.problem)
        else:
            return redirect(attempt)
    due = review_due_count(trainee=request.user, now=now)
    # The session's size unless the trainee types another; a refused form shows
    # what was sent in the field, the button keeps the default.
    default_count = min(due, REVIEW_LIMIT_DEFAULT)
    context = {
        "form": form,
        "due": due,
        "next_due": review_next_due(trainee=request.user, now=now),
        "count_min": COUNT_MIN,
        "count_max": COUNT_MAX,
        "count_value": form["count"].value() or default_count,
        "default_count": default_count,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "quizzes/review_due.html", context, status=status)


@login_required
@require_GET
def quiz_detail(request, slug: str):
    """A quiz's rules, the trainee's attempts left, and the start (or resume) form."""
    now = timezone.now()
    _close_due(request.user, now)
    standings = quiz_standings(
        trainee=request.user,
        now=now,
        quizzes=quizzes_visible_to(trainee=request.user).filter(slug=slug),
    )
    if not standings:
        raise Http404("No such quiz.")
    standing = standings[0]
    quiz, settings = standing.quiz, standing.settings
    accommodation = None
    if settings.time_limit:
        accommodation = accommodation_for(trainee=request.user, quiz=quiz)
    context = {
        "quiz": quiz,
        "settings": settings,
        "standing": standing,
        "is_tutor": quiz.mode == QuizMode.TUTOR,
        "time_limit": duration_text(settings.time_limit),
        "accommodation": accommodation,
        "your_time_limit": duration_text(accommodation.apply(settings.time_limit))
        if accommodation
        else None,
        "availability": availability_text(settings, now),
        "review_after_close": quiz.review_from == ReviewFrom.AFTER_CLOSE,
        "score_only": quiz.review_shows != ReviewShows.FULL,
        "start_refusal": _start_refusal(standing, now),
        # Outside SEB, the page says how to open the quiz in it, not "Start".
        "seb": None
        if request_admitted(quiz=quiz, request=request)
        else _seb(request, quiz),
    }
    return render(request, "quizzes/quiz_detail.html", context)


@login_required
@require_POST
def quiz_start(request, slug: str):
    """Start an attempt (or resume the one in progress) and open its first question."""
    quiz = get_object_or_404(quizzes_visible_to(trainee=request.user), slug=slug)
    if refused := _seb_refusal(request, quiz):
        return refused
    try:
        result = attempt_start(trainee=request.user, quiz=quiz, now=timezone.now())
    except AttemptError as error:
        messages.error(request, str(error))
        return redirect(quiz)
    if not result.created:
        messages.info(request, "You already had an attempt in progress: carry on.")
    return redirect(result.attempt)


@never_cache  # the Back button must not show a stale clock or stale answers
@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request, attempt_id: int):
    """One question of an attempt in progress; a POST saves it and moves on."""
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    if refused := _seb_refusal(request, attempt.quiz):
        return refused
    if request.method == "POST":
        return _answer_post(request, attempt, now)
    attempt = attempt_expire_if_due(attempt=attempt, now=now)
    if not attempt.is_in_progress:
        return _closed_redirect(request, attempt)
    answers = list(attempt.answers.select_related("question", "question_version"))
    index = _question_index(request.GET.get("q"), answers)
    current = answers[index]
    question = attempt_questions(attempt, answers=[current])[0]
    shown = attempt_feedback(attempt, answers=[current], now=now)
    feedback = shown[0] if shown else None
    seconds_left = attempt.seconds_left(now)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "answer": current,
        "question": question,
        "choices": choice_rows(question, current, feedback),
        "input_type": "checkbox"
        if question["kind"] == QuestionKind.MULTIPLE
        else "radio",
        "kind_label": QuestionKind(question["kind"]).label,
        "kind_hint": kind_hint(kind=question["kind"], stem=question["stem"]),
        "feedback": feedback,
        "passage": (
            question_passages(pinned_questions([current])).get(current.question_id)
            if feedback
            else None
        ),
        "navigator": _navigator(answers, current),
        "answered": sum(a.is_answered for a in answers),
        "count": len(answers),
        "is_first": index == 0,
        "is_last": index == len(answers) - 1,
        "is_tutor": attempt.quiz.mode == QuizMode.TUTOR,
        "seconds_left": seconds_left,
        "clock": clock_text(seconds_left),
    }
    if feedback:
        # The key is shown: so is the problem report (one query, only then).
        reports = problem_reports_for_attempt(trainee=request.user, attempt=attempt)
        context |= _report_context(report=reports.get(current.question_id))
    response = render(request, "quizzes/attempt.html", context)
    # The service worker keeps a copy of this page only (an attempt in progress),
    # to show it again on a reload while offline: never a result or a review.
    response[OFFLINE_PAGE_HEADER] = "attempt"
    return response


@never_cache  # the Back button must not show a stale clock or stale answers
@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request, attempt_id: int):
    """GET: what is still unanswered or flagged; POST: finish and score the attempt."""
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    if refused := _seb_refusal(request, attempt.quiz):
        return refused
    if request.method == "POST":
        was_open = attempt.is_in_progress
        attempt = attempt_finish(attempt=attempt, now=now)
        if attempt.state == AttemptState.EXPIRED and was_open:
            messages.warning(request, _expired_message(attempt))
        elif was_open:
            messages.success(request, "Your attempt is submitted.")
        return redirect("attempt_result", attempt.pk)
    attempt = attempt_expire_if_due(attempt=attempt, now=now)
    if not attempt.is_in_progress:
        return _closed_redirect(request, attempt)
    answers = list(
        attempt.answers.only("id", "attempt_id", "position", "choice_ids", "flagged")
    )
    seconds_left = attempt.seconds_left(now)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "count": len(answers),
        "answered": sum(a.is_answered for a in answers),
        "unanswered": [a.position for a in answers if not a.is_answered],
        "flagged": [a.position for a in answers if a.flagged],
        "seconds_left": seconds_left,
        "clock": clock_text(seconds_left),
    }
    return render(request, "quizzes/attempt_submit.html", context)


@login_required
@require_GET
def quiz_seb_file(request, slug: str):
    """The quiz's Safe Exam Browser settings (.seb), to open the quiz in SEB.

    For a trainee who may open the quiz: SEB fetches it from a seb(s):// link in
    its own window, which shows the log-in page first if need be.
    """
    seb_file = get_object_or_404(
        QuizSebFile.objects.filter(
            quiz__in=quizzes_visible_to(trainee=request.user), quiz__slug=slug
        )
    )
    response = HttpResponse(bytes(seb_file.content), content_type="application/seb")
    response["Content-Disposition"] = f'attachment; filename="{slug}.seb"'
    return response


@require_GET
def service_worker(request):
    """The attempt pages' service worker (static/quizzes/sw.js).

    Served from /attempts/ rather than /static/ so that its scope covers the
    attempt pages without a Service-Worker-Allowed header. The same file for
    everyone, holding nothing of any user: public, so that the browser's update
    check works whoever is logged in. no-cache: a new version is found at once.
    """
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@cache
def _service_worker_source() -> bytes:
    return SERVICE_WORKER.read_bytes()


@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    """A finished attempt's score, pass/fail, sections and time used."""
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    attempt = attempt_expire_if_due(attempt=attempt, now=now)
    if attempt.is_in_progress:
        messages.info(
            request, "This attempt is still in progress: submit it to see a result."
        )
        return redirect(attempt)
    if request.GET.get("auto") == "1" and attempt.submitted_at_deadline:
        messages.info(
            request,
            "Time ran out: the page submitted your attempt by itself at 00:00, "
            "with the answers saved by then.",
        )
    percent = attempt.percent or 0.0
    allowed = review_allowed(attempt=attempt, now=now)
    answers = attempt_answers_with_sections(attempt=attempt)
    used = attempt.finished_at - attempt.started_at
    per_question = time_per_question(used=used, questions=len(answers))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "percent": percent,
        "passed": percent >= attempt.quiz.pass_mark,
        "expired": attempt.state == AttemptState.EXPIRED,
        "time_used": duration_text(used),
        "time_per_question": per_question and duration_text(per_question),
        "question_count": len(answers),
        "counts": answer_counts(answers=[(a.is_answered, a.score) for a in answers]),
        "percentile": _percentile(request.user, attempt.quiz),
        "sections": attempt_section_results(attempt=attempt, answers=answers),
        "review_allowed": allowed,
        "review_refusal": None if allowed else review_refusal(attempt=attempt, now=now),
        "regrade_notices": regrade_notices(attempt_ids=[attempt.pk]).get(
            attempt.pk, []
        ),
        "late_changes": late_changes_for(trainee=request.user, attempt=attempt),
    }
    return render(request, "quizzes/attempt_result.html", context)


@login_required
@require_GET
def attempt_review(request, attempt_id: int):
    """Each question with the trainee's choices, the key, rationales and source.

    Refused (403, with the reason) while the quiz's review policy forbids it.
    """
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    attempt = attempt_expire_if_due(attempt=attempt, now=now)
    if not review_allowed(attempt=attempt, now=now):
        context = {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "reason": review_refusal(attempt=attempt, now=now),
        }
        return render(request, "quizzes/review_refused.html", context, status=403)
    show = request.GET.get("show", "all")
    all_answers = list(attempt.answers.select_related("question", "question_version"))
    filters = review_filter_links(all_answers, show)
    if show not in REVIEW_FILTERS:
        context = {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "filters": filters,
            "filter_error": f"There is no filter “{show}”: choose "
            + ", ".join(f"“{key}”" for key in REVIEW_FILTERS)
            + " (the show= part of the address).",
        }
        return render(request, "quizzes/attempt_review.html", context, status=400)
    answers = [a for a in all_answers if review_shows(a, show)]
    items = review_items(
        answers=answers,
        questions=attempt_questions(attempt, answers=answers),
        feedback=attempt_feedback(attempt, answers=answers, now=now),
    )
    reports = problem_reports_for_attempt(trainee=request.user, attempt=attempt)
    for item in items:
        item["report"] = reports.get(item["question"]["id"])
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "filters": filters,
        "show": show,
        "regrade_notices": regrade_notices(attempt_ids=[attempt.pk]).get(
            attempt.pk, []
        ),
        **_report_context(),
    }
    return render(request, "quizzes/attempt_review.html", context)


@login_required
@require_POST
def question_report(request, attempt_id: int, question_id: int):
    """Record the trainee's report of a problem with a question, then go back to
    the question (its review, or its tutor feedback) with a message.

    ``services.reports`` decides whether the question may be reported: a question
    whose key is not shown yet is refused there, whatever this form posts.
    """
    now = timezone.now()
    attempt = attempt_for_trainee(trainee=request.user, attempt_id=attempt_id)
    attempt = attempt_expire_if_due(attempt=attempt, now=now)
    # During a SEB sitting (tutor feedback), from SEB only; after it, like the
    # review, from any browser.
    if attempt.is_in_progress and (refused := _seb_refusal(request, attempt.quiz)):
        return refused
    position = (
        attempt.answers.filter(question_id=question_id)
        .values_list("position", flat=True)
        .first()
    )
    if position is None:
        raise Http404("That question is not part of this attempt.")
    try:
        report_create(
            trainee=request.user,
            attempt=attempt,
            question_id=question_id,
            category=request.POST.get("category", ""),
            text=request.POST.get("text", ""),
            now=now,
        )
    except ReportError as error:
        messages.error(request, f"Your report was not sent: {error}")
    else:
        messages.success(
            request,
            f"Thank you: your report on question {position} is sent. An instructor "
            "will look at it; the outcome will show here.",
        )
    if attempt.is_in_progress:
        back = _question_url(attempt, position)
    else:
        back = reverse("attempt_review", args=[attempt.pk])
    return redirect(f"{back}#report-q{question_id}")


@login_required
@require_GET
def history(request):
    """The trainee's attempts, newest first, with links to their result and review."""
    now = timezone.now()
    _close_due(request.user, now)
    attempts = (
        Attempt.objects.filter(trainee=request.user).started().select_related("quiz")
    )
    page = Paginator(
        attempts.order_by("-started_at", "-pk"), HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    # "After close" review waits for each trainee's own close (overrides): read
    # those settings once for the page, and only when a quiz needs them.
    after_close = {
        a.quiz_id: a.quiz for a in page if a.quiz.review_from == ReviewFrom.AFTER_CLOSE
    }
    settings = quiz_settings_map(trainee=request.user, quizzes=after_close.values())
    notices = regrade_notices(attempt_ids=[a.pk for a in page])
    rows = [
        {
            "attempt": a,
            "time_up": a.is_in_progress and a.seconds_left(now) == 0,
            "review_allowed": review_allowed(
                attempt=a, now=now, settings=settings.get(a.quiz_id)
            ),
            "regrade_notices": notices.get(a.pk, []),
        }
        for a in page
    ]
    return render(request, "quizzes/history.html", {"rows": rows, "page": page})


def _percentile(trainee, quiz: Quiz) -> int | None:
    """The trainee's first attempt ranked among the other trainees' first attempts;
    None (the page says nothing) without a finished first attempt or enough peers."""
    first = first_attempt_percents(trainee=trainee, quiz=quiz)
    if first.own is None:
        return None
    return percentile_rank(own=first.own, peers=first.peers)


def _close_due(trainee, now: datetime) -> None:
    """Close on read: an attempt of the trainee whose time ran out is expired and
    scored before a page lists it, so it never shows "Resume" or "not scored yet"
    while it waits for the scheduler (one query when nothing is due)."""
    attempts_close_expired(now=now, attempts=Attempt.objects.filter(trainee=trainee))


# Helpers: formatting and read-only shaping for the templates.


def duration_text(value: timedelta | None) -> str:
    """``timedelta(minutes=75)`` → "1 hour 15 minutes"; None → "untimed"."""
    if value is None:
        return "untimed"
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if n
    ]
    return " ".join(parts) or "0 seconds"


def clock_text(seconds: int | None) -> str:
    """Seconds left as ``mm:ss`` (minutes may pass 59); empty when untimed."""
    if seconds is None:
        return ""
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def availability_text(quiz: Quiz | QuizSettings, now: datetime) -> str:
    """Whether the quiz takes new attempts now, and until or from when (from the
    trainee's effective settings when given them)."""
    if quiz.opens_at and now < quiz.opens_at:
        return f"Not open yet: opens {_when(quiz.opens_at)}"
    if quiz.closes_at and now >= quiz.closes_at:
        return f"Closed since {_when(quiz.closes_at)}"
    if quiz.closes_at:
        return f"Open until {_when(quiz.closes_at)}"
    return "Open"


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %B %Y at %H:%M %Z}"


def _seb_refusal(request, quiz: Quiz):
    """The page that says how to open the quiz in Safe Exam Browser (403) when
    the quiz requires SEB and the request does not prove it; else None."""
    if request_admitted(quiz=quiz, request=request):
        return None
    context = {"quiz": quiz, "seb": _seb(request, quiz)}
    return render(request, "quizzes/seb_required.html", context, status=403)


def _seb(request, quiz: Quiz) -> dict:
    """The links that open the quiz in SEB: its .seb file over HTTP(S), and the
    same address as seb(s)://, which SEB itself opens (when there is a file)."""
    if not quiz.seb_file_config_key:
        return {"download_url": None, "seb_url": None}
    url = request.build_absolute_uri(reverse("quiz_seb_file", args=[quiz.slug]))
    return {"download_url": url, "seb_url": seb_link(url)}


def _start_refusal(standing, now: datetime) -> str | None:
    """Why no attempt can be started now (the service's rule), or None; None too
    when an attempt is in progress, since it can be resumed."""
    if standing.in_progress:
        return None
    return attempt_start_refusal(
        settings=standing.settings, attempts_used=standing.attempts_used, now=now
    )


def _answer_post(request, attempt: Attempt, now: datetime):
    """Save the posted answer (no-JS path), then go where the pressed button says."""
    ref = QuestionRefForm(request.POST)
    answer = None
    if ref.is_valid():
        answer = (
            attempt.answers.select_related("question", "question_version")
            .filter(question_id=ref.cleaned_data["question"])
            .first()
        )
    if answer is None:
        messages.error(request, "That question is not part of this attempt.")
        return redirect(attempt)
    here = _question_url(attempt, answer.position)
    form = AnswerForm(request.POST, choice_ids=answer.choice_order)
    if not form.is_valid():
        messages.error(request, "That answer could not be read; choose again.")
        return redirect(here)
    data = form.cleaned_data
    try:
        if answer.locked_at is None:
            answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=data["choices"],
                flagged=data["flagged"],
                now=now,
                struck=data["struck"],
            )
        elif data["flagged"] != answer.flagged:
            # A confirmed answer's choices are frozen (its inputs are disabled and
            # not posted); only its flag may still change.
            answer_flag(
                attempt=attempt,
                question_id=answer.question_id,
                flagged=data["flagged"],
                now=now,
            )
        if data["action"] == "confirm":
            answer_confirm(
                attempt=attempt,
                question_id=answer.question_id,
                now=now,
                confidence=data["confidence"] or None,
            )
    except AttemptClosed as error:
        messages.error(request, str(error))
        return redirect("attempt_result", attempt.pk)
    except AttemptError as error:
        messages.error(request, str(error))
        return redirect(here)
    action = data["action"]
    if action == "finish":
        return redirect("attempt_submit", attempt.pk)
    if action == "save":
        messages.success(
            request, f"Your answer to question {answer.position} is saved."
        )
    step = {"previous": -1, "next": 1}.get(action, 0)
    return redirect(_question_url(attempt, max(1, answer.position + step)))


def _closed_redirect(request, attempt: Attempt):
    """Send a finished or expired attempt's pages to its result, saying why."""
    if attempt.state == AttemptState.EXPIRED:
        messages.warning(request, _expired_message(attempt))
    else:
        messages.info(request, "This attempt is finished; here is its result.")
    return redirect("attempt_result", attempt.pk)


def _expired_message(attempt: Attempt) -> str:
    return (
        "Time is up: the clock closed this attempt at "
        f"{timezone.localtime(attempt.deadline):%H:%M %Z}. It was scored with the "
        "answers saved before then."
    )


def _report_context(**extra) -> dict:
    """What the problem report's form needs (``_problem_report.html``)."""
    return {
        "report_categories": ReportCategory.choices,
        "report_text_max": REPORT_TEXT_MAX,
        **extra,
    }


def _question_url(attempt: Attempt, position: int) -> str:
    return f"{reverse('attempt', args=[attempt.pk])}?q={position}"


def _question_index(raw: str | None, answers: list[Answer]) -> int:
    """The 0-based index of ``?q=`` (1-based, clamped); default: first unanswered."""
    if raw is not None and raw.strip().isdigit():
        return min(max(int(raw), 1), len(answers)) - 1
    return next((i for i, a in enumerate(answers) if not a.is_answered), 0)


def _navigator(answers: list[Answer], current: Answer) -> list[dict]:
    return [
        {
            "position": a.position,
            "answered": a.is_answered,
            "flagged": a.flagged,
            "locked": a.locked_at is not None,
            "current": a.pk == current.pk,
        }
        for a in answers
    ]
