"""``manage.py create_demo_accounts``: demo instructor and trainees for ``make run``."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from quizzes.services.instructors import INSTRUCTORS_GROUP, instructor_create

DEMO_TRAINEES = ["trainee1", "trainee2"]
DEMO_INSTRUCTOR = "instructor"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts: one instructor (in the Instructors "
        "group) and two trainees. Development only; the password comes from "
        "DEMO_PASSWORD."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo accounts are for development (DEBUG) only")
        password = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
        User = get_user_model()
        instructor, _ = instructor_create(
            username=DEMO_INSTRUCTOR, first_name="Demo", last_name="Instructor"
        )
        # The demo password is set directly: it is a known, development-only value
        # that the validators would rightly refuse for a real account.
        instructor.set_password(password)
        # Permissions come from the group only, so the demo shows what a real
        # instructor sees (an earlier version gave direct permissions: clear them).
        instructor.user_permissions.clear()
        instructor.save()
        for number, username in enumerate(DEMO_TRAINEES, start=1):
            trainee, _ = User.objects.update_or_create(
                username=username,
                defaults={"first_name": "Demo", "last_name": f"Trainee {number}"},
            )
            trainee.set_password(password)
            trainee.save()
        self.stdout.write(
            f"demo accounts (password “{password}”): {DEMO_INSTRUCTOR} (admin, "
            f"{INSTRUCTORS_GROUP} group), " + ", ".join(DEMO_TRAINEES)
        )
