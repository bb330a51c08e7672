"""Instructors may read the history of questions and choices, and unlock accounts.

Unlocking an account locked by django-axes is deleting its access attempt; they may
view and delete those. The lists are frozen here, as a migration must be;
``quizzes.services.instructors`` holds the same lists, and a test keeps them equal.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"
ADDED = {
    "quizzes": {"historicalquestion": ("view",), "historicalchoice": ("view",)},
    "axes": {"accessattempt": ("view", "delete"), "accessfailurelog": ("view",)},
}


def grant(apps, schema_editor):
    for label in ADDED:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for label, models in ADDED.items():
        codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=label, codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
    for label, models in ADDED.items():
        codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=label, codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0007_question_choice_history"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
