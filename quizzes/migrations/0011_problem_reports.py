"""Trainees' problem reports on questions, and the Instructors' permissions on them.

Instructors read and resolve reports (view/change); trainees create them through
the site, never the admin. The list is frozen here, as a migration must be;
``quizzes.services.instructors`` holds the same list, and a test keeps them equal.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Instructors"
ADDED = {"quizzes": {"problemreport": ("change", "view")}}


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="quizzes",
        codename__in=[f"{a}_{m}" for m, acts in ADDED["quizzes"].items() for a in acts],
    )


def grant(apps, schema_editor):
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("quizzes", "0009_quiz_overrides"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProblemReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("wrong_key", "The key is wrong"),
                            ("unclear", "The question is unclear"),
                            ("typo", "A typo"),
                            ("outdated", "Outdated practice"),
                            ("other", "Something else"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        help_text="What is wrong, in the trainee's words.",
                        max_length=2000,
                    ),
                ),
                ("created_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("resolved", "Resolved"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="open",
                        max_length=20,
                    ),
                ),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "resolution_note",
                    models.TextField(
                        blank=True,
                        help_text="What was done, or why nothing was: the trainee sees it.",
                    ),
                ),
                (
                    "answer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problem_reports",
                        to="quizzes.answer",
                    ),
                ),
                (
                    "attempt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problem_reports",
                        to="quizzes.attempt",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problem_reports",
                        to="quizzes.question",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "trainee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problem_reports",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["question", "status"], name="report_question_status"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("attempt", "question"), name="report_once_per_attempt"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "category__in",
                                ["wrong_key", "unclear", "typo", "outdated", "other"],
                            )
                        ),
                        name="report_category_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["open", "resolved", "dismissed"])
                        ),
                        name="report_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True),
                        name="report_text_not_empty",
                    ),
                    models.CheckConstraint(
                        condition=django.db.models.lookups.LessThanOrEqual(
                            django.db.models.functions.text.Length("text"), 2000
                        ),
                        name="report_text_length",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("resolution_note", ""),
                                ("resolved_at__isnull", True),
                                ("status", "open"),
                            ),
                            models.Q(
                                models.Q(("status", "open"), _negated=True),
                                ("resolved_at__isnull", False),
                                models.Q(("resolution_note", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="report_outcome_has_note",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
