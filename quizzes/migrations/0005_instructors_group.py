"""The "Instructors" group and its permissions.

Instructors manage the banks and the quizzes, read attempts and answers, read the
trainees' progress and may extend a deadline (which adds a DeadlineExtension). They
hold nothing on users, groups or permissions: only superusers manage accounts.

The list is frozen here, as a migration must be; ``quizzes.services.instructors``
holds the same list for ``create_instructor``, and a test keeps the two equal.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"
MANAGE = ("add", "change", "delete", "view")
PERMISSIONS = {
    "sourcedocument": MANAGE,
    "section": MANAGE,
    "question": MANAGE,
    "choice": MANAGE,
    "quiz": MANAGE,
    "quizdraw": MANAGE,
    "quizquestion": MANAGE,
    "accommodation": MANAGE,
    "attempt": ("view",),
    "answer": ("view",),
    "trainee": ("view",),
    "deadlineextension": ("add", "view"),
}


def create_group(apps, schema_editor):
    # Permissions are normally created after the last migration (post_migrate); a
    # fresh database needs them now, so create the quizzes app's permissions first.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="quizzes", codename__in=codenames
    )
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0004_trainee_deadline_extension"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
