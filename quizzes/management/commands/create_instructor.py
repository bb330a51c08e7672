"""``manage.py create_instructor USERNAME``: an account for the instructors' admin."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.services.instructors import INSTRUCTORS_GROUP, instructor_create

PASSWORD_ENV = "INSTRUCTOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create an instructor (staff, in the Instructors group: manages documents, "
        "questions and quizzes, reads attempts and progress; cannot manage users), "
        "or make an existing account one. Asks for the password; with --no-input "
        f"it is read from ${PASSWORD_ENV}, or left unusable when that is unset."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; take the password from ${PASSWORD_ENV}.",
        )

    def handle(self, *args, username, interactive, **options):
        password = self._ask_password() if interactive else os.environ.get(PASSWORD_ENV)
        try:
            user, created = instructor_create(
                username=username,
                email=options["email"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        verb = "created" if created else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"instructor {user.username} {verb} (staff, group {INSTRUCTORS_GROUP})"
            )
        )
        if not user.has_usable_password():
            self.stdout.write(
                f"no password set: run `manage.py changepassword {user.username}`"
            )

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        if not password:
            raise CommandError("the password is empty")
        return password
