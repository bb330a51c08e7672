"""``manage.py lti_rotate_keys [--prune]``: the tool's signing keys."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.lti.keys import RETIRED_KEY_GRACE, tool_keys_prune, tool_keys_rotate


class Command(BaseCommand):
    help = (
        "Generate the tool's first RSA signing key, or rotate: a new key signs "
        "from now on, and the previous one is retired but stays published at "
        f"/lti/jwks/ for {RETIRED_KEY_GRACE.days} days, so that platforms holding "
        "a cached copy of the JWKS still verify what it signed. With --prune, "
        "only delete the keys retired longer ago than that."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete the keys retired past the grace period; generate none.",
        )

    def handle(self, *args, prune, **options):
        now = timezone.now()
        if prune:
            deleted = tool_keys_prune(now=now)
            self.stdout.write(self.style.SUCCESS(f"{deleted} retired key(s) deleted"))
            return
        new, retired = tool_keys_rotate(now=now)
        self.stdout.write(self.style.SUCCESS(f"new signing key {new.kid}"))
        for key in retired:
            self.stdout.write(
                f"retired {key.kid}: published until "
                f"{(now + RETIRED_KEY_GRACE):%Y-%m-%d %H:%M} UTC"
            )
