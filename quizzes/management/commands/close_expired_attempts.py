"""``manage.py close_expired_attempts``: finish attempts whose time ran out.

Cron-able (e.g. every minute). Attempts are also closed on the next request that
touches them; this catches the ones nobody touches, so that progress never shows an
attempt open long after its deadline.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.services.attempts import attempts_close_expired


class Command(BaseCommand):
    help = "Finish and score every in-progress attempt past its deadline."

    def handle(self, *args, **options):
        closed = attempts_close_expired(now=timezone.now())
        self.stdout.write(f"closed {closed} expired attempt(s)")
