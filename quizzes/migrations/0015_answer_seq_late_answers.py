"""Numbered saves (``Answer.seq``) and the changes that arrived too late
(``LateAnswer``), which Instructors read in the attempt's admin page.

The permission list is frozen here, as a migration must be;
``quizzes.services.instructors`` holds the same list, and a test keeps them equal.
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Instructors"
ADDED = {"quizzes": {"lateanswer": ("view",)}}


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
        ("quizzes", "0014_question_acknowledged_warnings"),
    ]

    operations = [
        migrations.AddField(
            model_name='answer',
            name='seq',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name='LateAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('choice_ids', models.JSONField(blank=True, default=list)),
                ('flagged', models.BooleanField(blank=True, null=True)),
                ('seq', models.PositiveIntegerField(blank=True, null=True)),
                ('received_at', models.DateTimeField()),
                ('attempt', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='late_answers', to='quizzes.attempt')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='quizzes.question')),
            ],
            options={
                'ordering': ['attempt', 'received_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('attempt', 'question', 'seq'), name='lateanswer_unique_seq')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
