"""The grade outbox in the admin: what was sent to the LMS gradebooks, what is
waiting, what failed and why; "Retry now" for the failures once the LMS is back."""

from __future__ import annotations

from collections import Counter

from django.contrib import admin, messages
from django.utils import timezone

from quizzes.exports import csv_response
from quizzes.lti.admin.launch import InstructorsMayView
from quizzes.lti.models import GradePost
from quizzes.lti.services.grades import grade_post_send, grade_posts_retry

CSV_HEADER = [
    "username",
    "quiz",
    "course",
    "link",
    "score given",
    "score maximum",
    "status",
    "tries",
    "next try",
    "sent",
    "last error",
]


@admin.register(GradePost)
class GradePostAdmin(InstructorsMayView, admin.ModelAdmin):
    """Instructors see the outbox (and may retry): a grade that did not reach the
    gradebook is theirs to notice; editing stays with superusers."""

    list_display = [
        "user",
        "quiz",
        "course",
        "score",
        "status",
        "tries",
        "next_try_at",
        "sent_at",
        "error",
    ]
    list_filter = ["status", "resource_link__context"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
    ]
    list_select_related = [
        "user",
        "resource_link__quiz",
        "resource_link__context",
    ]
    readonly_fields = [
        "resource_link",
        "user",
        "score_given",
        "score_maximum",
        "status",
        "tries",
        "next_try_at",
        "last_error",
        "updated_at",
        "sent_at",
    ]
    actions = ["retry_now", "export_csv"]

    def has_add_permission(self, request):
        # Rows are written by grade passback only.
        return False

    @admin.display(description="quiz", ordering="resource_link__quiz__title")
    def quiz(self, post):
        return post.resource_link.quiz.title

    @admin.display(description="course", ordering="resource_link__context__title")
    def course(self, post):
        return str(post.resource_link.context)

    @admin.display(description="score", ordering="score_given")
    def score(self, post):
        return f"{post.score_given:g} / {post.score_maximum:g}"

    @admin.display(description="last error")
    def error(self, post):
        # The whole text is on the row's page; the list shows its start.
        text = post.last_error
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.action(description="Retry now", permissions=["view"])
    def retry_now(self, request, queryset):
        """Send the selected grades that are not sent, now, with their count of
        tries started again (sent ones are left alone)."""
        now = timezone.now()
        grade_posts_retry(posts=list(queryset), now=now)
        retried = GradePost.objects.filter(
            pk__in=queryset.values("pk"), status=GradePost.Status.PENDING
        )
        outcomes = Counter(grade_post_send(post=post, now=now) for post in retried)
        level = messages.SUCCESS if not outcomes["failed"] else messages.WARNING
        self.message_user(
            request,
            f"Sent {outcomes['sent']} grade(s); {outcomes['failed']} failed again "
            "(see the error column; retried with back-off).",
            level,
        )

    @admin.action(description="Export the selected grades as CSV")
    def export_csv(self, request, queryset):
        rows = (
            [
                p.user.username,
                p.resource_link.quiz.title,
                str(p.resource_link.context),
                p.resource_link.resource_link_id,
                p.score_given,
                p.score_maximum,
                p.get_status_display(),
                p.tries,
                p.next_try_at,
                p.sent_at,
                p.last_error,
            ]
            for p in queryset.select_related(*self.list_select_related)
        )
        return csv_response(
            filename=f"lms-grades-{timezone.localdate():%Y-%m-%d}.csv",
            header=CSV_HEADER,
            rows=rows,
        )
