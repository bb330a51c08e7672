"""The user admin (superusers only) with a way to a trainee's progress."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class QuizUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "progress_link"]
    change_form_template = "admin/quizzes/user_change_form.html"

    @admin.display(description="progress")
    def progress_link(self, obj):
        if obj.is_staff:
            return "—"
        return format_html(
            '<a href="{}">Progress</a>',
            reverse("admin:quizzes_trainee_progress", args=[obj.pk]),
        )
