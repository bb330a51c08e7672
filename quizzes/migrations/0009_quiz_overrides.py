"""Per-trainee and per-group quiz overrides (Moodle parity), and the Instructors'
permissions on them.

Instructors manage overrides (add/change/delete/view) and read their history. The
list is frozen here, as a migration must be; ``quizzes.services.instructors`` holds
the same list, and a test keeps them equal.
"""

import datetime
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GROUP = "Instructors"
ADDED = {
    "quizzes": {
        "quizoverride": ("add", "change", "delete", "view"),
        "historicalquizoverride": ("view",),
    },
}


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
        ("quizzes", "0008_instructors_history_and_unlock"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalQuizOverride",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "opens_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Blank: the quiz's own opening.",
                        null=True,
                    ),
                ),
                (
                    "closes_at",
                    models.DateTimeField(
                        blank=True, help_text="Blank: the quiz's own close.", null=True
                    ),
                ),
                (
                    "time_limit",
                    models.DurationField(
                        blank=True,
                        help_text="Blank: the quiz's own time limit.",
                        null=True,
                    ),
                ),
                (
                    "attempts_allowed",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Blank: the quiz's own number. 0: unlimited.",
                        null=True,
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        help_text="Why, e.g. “Sick on the exam day; resit agreed”.",
                        max_length=255,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="A group (cohort) of trainees, or blank for one trainee.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="auth.group",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="quizzes.quiz",
                    ),
                ),
                (
                    "trainee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="One trainee, or blank for a group.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical quiz override",
                "verbose_name_plural": "historical quiz overrides",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="QuizOverride",
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
                    "opens_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Blank: the quiz's own opening.",
                        null=True,
                    ),
                ),
                (
                    "closes_at",
                    models.DateTimeField(
                        blank=True, help_text="Blank: the quiz's own close.", null=True
                    ),
                ),
                (
                    "time_limit",
                    models.DurationField(
                        blank=True,
                        help_text="Blank: the quiz's own time limit.",
                        null=True,
                    ),
                ),
                (
                    "attempts_allowed",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Blank: the quiz's own number. 0: unlimited.",
                        null=True,
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        help_text="Why, e.g. “Sick on the exam day; resit agreed”.",
                        max_length=255,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        help_text="A group (cohort) of trainees, or blank for one trainee.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quiz_overrides",
                        to="auth.group",
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="quizzes.quiz",
                    ),
                ),
                (
                    "trainee",
                    models.ForeignKey(
                        blank=True,
                        help_text="One trainee, or blank for a group.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quiz_overrides",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["quiz", "trainee", "group"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("group__isnull", True), ("trainee__isnull", False)
                            ),
                            models.Q(
                                ("group__isnull", False), ("trainee__isnull", True)
                            ),
                            _connector="OR",
                        ),
                        name="quizoverride_trainee_xor_group",
                    ),
                    models.UniqueConstraint(
                        fields=("quiz", "trainee"), name="quizoverride_unique_trainee"
                    ),
                    models.UniqueConstraint(
                        fields=("quiz", "group"), name="quizoverride_unique_group"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("opens_at__isnull", False),
                            ("closes_at__isnull", False),
                            ("time_limit__isnull", False),
                            ("attempts_allowed__isnull", False),
                            _connector="OR",
                        ),
                        name="quizoverride_changes_something",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("time_limit__isnull", True),
                            ("time_limit__gt", datetime.timedelta(0)),
                            _connector="OR",
                        ),
                        name="quizoverride_time_limit_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("opens_at__isnull", True),
                            ("closes_at__isnull", True),
                            ("closes_at__gt", models.F("opens_at")),
                            _connector="OR",
                        ),
                        name="quizoverride_closes_after_opening",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="quizoverride_reason",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
