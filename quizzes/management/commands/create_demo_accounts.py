"""``manage.py create_demo_accounts``: demo instructor and trainees for ``make run``."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

DEMO_TRAINEES = ["trainee1", "trainee2"]
DEMO_INSTRUCTOR = "instructor"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts: one instructor and two trainees. "
        "Development only; the password comes from DEMO_PASSWORD."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo accounts are for development (DEBUG) only")
        password = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
        User = get_user_model()
        instructor, _ = User.objects.update_or_create(
            username=DEMO_INSTRUCTOR,
            defaults={
                "is_staff": True,
                "first_name": "Demo",
                "last_name": "Instructor",
            },
        )
        instructor.set_password(password)
        instructor.save()
        instructor.user_permissions.set(
            Permission.objects.filter(content_type__app_label="quizzes")
        )
        for number, username in enumerate(DEMO_TRAINEES, start=1):
            trainee, _ = User.objects.update_or_create(
                username=username,
                defaults={"first_name": "Demo", "last_name": f"Trainee {number}"},
            )
            trainee.set_password(password)
            trainee.save()
        self.stdout.write(
            f"demo accounts (password “{password}”): {DEMO_INSTRUCTOR} (admin), "
            + ", ".join(DEMO_TRAINEES)
        )
