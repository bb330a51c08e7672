"""Grade passback (LTI Assignment and Grade Services): the outbox of grades.

When a trainee's grade for a quiz may have changed (``quizzes.signals.grade_changed``:
an attempt finished, a regrade committed), ``grade_posts_upsert`` writes one
``GradePost`` per LMS link of that quiz in a course the trainee belongs to, holding
the grade to send: the quiz's grade by its grading method (``quizzes.progress``,
as on the progress pages), as ``score_given`` out of 100. ``grades_on_change``, the
receiver, only writes the outbox: ``grades_send_due`` (``manage.py lti_send_grades
--every 60``, run beside the server) sends it, and retries what fails. No request
waits on the LMS: a slow or unreachable gradebook never holds a trainee's submit,
and a regrade of a whole cohort is not hundreds of posts inside one admin request.

Retries back off exponentially: the n-th failed try waits ``BACKOFF_BASE`` ×
2^(n−1) (1, 2, 4 … 256 minutes, capped at ``BACKOFF_CAP``) and the ``MAX_TRIES``-th
failure gives up (``GAVE_UP``, about eight and a half hours after the first try);
each try is logged and its error kept in ``last_error``, shown in the admin,
where "Retry now" starts the count again.

Each try first claims its row by a conditional UPDATE (due, and not changed since
it was read), so two senders (two servers' loops, or "Retry now" beside one) never post
one grade twice at once; a grade that changes while it is being sent is sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import requests
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade

from quizzes.lti.models import GradePost, Identity, Membership, ResourceLink
from quizzes.lti.services.connector import NoToolKey, service_connector
from quizzes.progress import quiz_grades_of

logger = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MAXIMUM = Decimal(100)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
MAX_TRIES = 10
# A claimed row is not due again for this long: a sender that died mid-try (a
# killed worker) leaves it to be retried after the lease, not never.
LEASE = timedelta(minutes=5)
DUE_STATUSES = [GradePost.Status.PENDING, GradePost.Status.FAILED]


def backoff(tries: int) -> timedelta:
    """The wait after the ``tries``-th failed try: 1, 2, 4 … minutes, capped."""
    return min(BACKOFF_BASE * 2 ** (tries - 1), BACKOFF_CAP)


def grades_on_change(sender, *, pairs, reason: str, **kwargs) -> None:
    """The ``grade_changed`` receiver: queue each trainee's new grade for the LMS
    links of the quiz, due at once, for the sender's next pass (never sent here:
    this runs inside the request that finished the attempt)."""
    now = timezone.now()
    by_quiz: dict[int, set[int]] = {}
    for trainee_id, quiz_id in pairs:
        by_quiz.setdefault(quiz_id, set()).add(trainee_id)
    for quiz_id, trainee_ids in by_quiz.items():
        grade_posts_upsert(quiz_id=quiz_id, user_ids=trainee_ids, now=now)


def _links_of(*, quiz_id: int, user_ids) -> list[tuple[ResourceLink, int]]:
    """(link, user) for each graded link of the quiz in a course the user is a
    learner of: an active learner membership, or the course's cohort group.

    One query when the quiz has no LMS link (every finish of a quiz outside an
    LMS pays only that), three otherwise, whatever the number of links.
    """
    links = list(
        ResourceLink.objects.filter(quiz_id=quiz_id)
        .exclude(lineitem_url="")
        .select_related("context")
    )
    if not links:
        return []
    wanted = set(user_ids)
    contexts = {link.context_id: link.context for link in links}
    belongs = set(
        Membership.objects.filter(
            context_id__in=contexts,
            user_id__in=wanted,
            active=True,
            role=Membership.Role.LEARNER,
        ).values_list("context_id", "user_id")
    )
    context_of_group = {c.group_id: c.pk for c in contexts.values()}
    belongs |= {
        (context_of_group[group_id], user_id)
        for group_id, user_id in get_user_model()
        .groups.through.objects.filter(
            group_id__in=context_of_group, user_id__in=wanted
        )
        .values_list("group_id", "user_id")
    }
    return [
        (link, user_id)
        for link in links
        for user_id in sorted(wanted)
        if (link.context_id, user_id) in belongs
    ]


def grade_posts_upsert(*, quiz_id: int, user_ids, now: datetime) -> list[GradePost]:
    """Queue the current grade of each of ``user_ids`` on ``quiz_id`` for every LMS
    link of that quiz they belong to; return the rows to send.

    A grade equal to the one already sent is left alone (a regrade that changes an
    attempt but not the grade sends nothing); a trainee with no finished attempt
    has no grade to send.
    """
    targets = _links_of(quiz_id=quiz_id, user_ids=user_ids)
    if not targets:
        return []
    grades = quiz_grades_of(quiz_id=quiz_id, trainee_ids={u for _, u in targets})
    posts = []
    for link, user_id in targets:
        grade = grades.get(user_id)
        if grade is None:
            continue
        score = Decimal(str(grade)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        post = _upsert(link=link, user_id=user_id, score=score, now=now)
        if post is not None:
            posts.append(post)
    return posts


def _upsert(*, link, user_id, score: Decimal, now) -> GradePost | None:
    fields = {
        "score_given": score,
        "score_maximum": SCORE_MAXIMUM,
        "status": GradePost.Status.PENDING,
        "tries": 0,
        "next_try_at": now,
        "last_error": "",
        "updated_at": now,
    }
    for _ in range(2):  # a concurrent first insert for the same row: read it again
        try:
            with transaction.atomic():
                post = (
                    GradePost.objects.select_for_update()
                    .filter(resource_link=link, user_id=user_id)
                    .first()
                )
                if post is None:
                    return GradePost.objects.create(
                        resource_link=link, user_id=user_id, **fields
                    )
                if (
                    post.status == GradePost.Status.SENT
                    and post.score_given == score
                    and post.score_maximum == SCORE_MAXIMUM
                ):
                    return None
                for name, value in fields.items():
                    setattr(post, name, value)
                post.save(update_fields=list(fields))
                return post
        except IntegrityError:
            continue
    return None


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0


def grades_send_due(*, now: datetime) -> SendReport:
    """Send every grade that is due (pending, or failed and past its back-off),
    oldest first; return what happened."""
    due = GradePost.objects.filter(status__in=DUE_STATUSES, next_try_at__lte=now)
    counts = {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    for post in due.order_by("next_try_at", "pk"):
        counts[grade_post_send(post=post, now=now)] += 1
    return SendReport(**counts)


def grade_post_send(*, post: GradePost, now: datetime) -> str:
    """One try at posting ``post`` to its line item: "sent", "failed" (to be retried
    after ``backoff``), "gave_up" (after ``MAX_TRIES``) or "skipped" (another sender
    holds it, or it is not due)."""
    claimed = GradePost.objects.filter(
        pk=post.pk,
        status__in=DUE_STATUSES,
        next_try_at__lte=now,
        updated_at=post.updated_at,
    ).update(tries=F("tries") + 1, next_try_at=now + LEASE)
    if not claimed:
        return "skipped"
    post = GradePost.objects.select_related(
        "resource_link__context__platform", "user"
    ).get(pk=post.pk)
    try:
        _post_score(post)
    except (LtiException, NoToolKey, requests.RequestException, ValueError) as error:
        return _failed(post, error=error, now=now)
    GradePost.objects.filter(pk=post.pk, updated_at=post.updated_at).update(
        status=GradePost.Status.SENT, sent_at=now, next_try_at=None, last_error=""
    )
    logger.info(
        "grade %s/%s of user %s sent to %s (try %s)",
        post.score_given,
        post.score_maximum,
        post.user_id,
        post.resource_link.lineitem_url,
        post.tries,
    )
    return "sent"


def _failed(post: GradePost, *, error: Exception, now: datetime) -> str:
    gave_up = post.tries >= MAX_TRIES
    status = GradePost.Status.GAVE_UP if gave_up else GradePost.Status.FAILED
    next_try = None if gave_up else now + backoff(post.tries)
    GradePost.objects.filter(pk=post.pk, updated_at=post.updated_at).update(
        status=status, next_try_at=next_try, last_error=_describe(error)
    )
    logger.warning(
        "grade of user %s for %s: try %s failed (%s); %s",
        post.user_id,
        post.resource_link.lineitem_url,
        post.tries,
        _describe(error),
        "gave up" if gave_up else f"next try at {next_try:%Y-%m-%d %H:%M:%S} UTC",
    )
    return "gave_up" if gave_up else "failed"


def _describe(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    response = getattr(error, "response", None)
    if response is not None and getattr(response, "text", None):
        text += f" — {response.text[:500]}"
    return text


def _post_score(post: GradePost) -> None:
    link = post.resource_link
    platform = link.context.platform
    subject = (
        Identity.objects.filter(issuer=platform.issuer, user_id=post.user_id)
        .values_list("subject", flat=True)
        .first()
    )
    if subject is None:
        raise ValueError(f"user {post.user_id} has no identity at {platform.issuer}")
    grade = (
        Grade()
        .set_score_given(float(post.score_given))
        .set_score_maximum(float(post.score_maximum))
        .set_timestamp(post.updated_at.isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(subject)
    )
    service = AssignmentsGradesService(
        service_connector(platform=platform),
        {"scope": [SCORE_SCOPE], "lineitem": link.lineitem_url},
    )
    service.put_grade(grade)


def grade_posts_retry(*, posts, now: datetime) -> int:
    """ "Retry now" (admin): the posts not sent are due at once, with their count of
    tries started again; returns how many."""
    return (
        GradePost.objects.filter(pk__in=[p.pk for p in posts])
        .exclude(status=GradePost.Status.SENT)
        .update(
            status=GradePost.Status.PENDING, tries=0, next_try_at=now, updated_at=now
        )
    )
