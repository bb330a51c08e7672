"""``manage.py close_expired_attempts``: finish attempts whose time ran out.

Once by default; ``--every 60`` loops, closing due attempts every minute until
SIGTERM or SIGINT (or the death of the ``--parent`` process that started it). The
loop is what ``make run`` and gunicorn (``gunicorn.conf.py``) start beside the
server, so no cron is needed; ``quizzes.scheduler`` says how, and how to turn it off.

Attempts are also closed when a page that shows them is read; this catches the ones
nobody looks at, so that a result never waits for a reader. Several loops at once
(two servers) are safe: each attempt is closed, and scored, by exactly one of them.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from quizzes.scheduler import die_with_parent, run_every, stop_event_on_signals
from quizzes.services.attempts import attempts_close_expired

logger = logging.getLogger("quizzes.scheduler")


class Command(BaseCommand):
    help = "Finish and score every in-progress attempt past its deadline."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running: close due attempts now and then every SECONDS "
            "(e.g. 60), until SIGTERM or Ctrl-C.",
        )
        parser.add_argument(
            "--parent",
            type=int,
            metavar="PID",
            help="With --every: stop when this process (the server that started "
            "the loop) is gone.",
        )

    def handle(self, *args, every=None, parent=None, **options):
        if every is None:
            if parent is not None:
                raise CommandError("--parent goes with --every")
            closed = attempts_close_expired(now=timezone.now())
            self.stdout.write(f"closed {closed} expired attempt(s)")
            return
        if every < 1:
            raise CommandError(f"--every must be at least 1 second, not {every}")
        self.loop(every=every, alive=die_with_parent(parent), wait=None)

    def loop(self, *, every: int, alive, wait, refresh=close_old_connections) -> int:
        """Run ``close_once`` every ``every`` seconds until ``wait`` says stop or
        ``alive`` says the server is gone. ``wait`` defaults to an event that
        SIGTERM/SIGINT set; tests pass one that never sleeps."""
        if wait is None:
            wait = stop_event_on_signals().wait

        def job():
            # No request here to trigger Django's per-request connection check: a
            # connection that broke (the database restarted) or aged out is
            # replaced before each pass, as a web worker's would be.
            refresh()
            self.close_once()

        logger.info("expiry scheduler: closing expired attempts every %s s", every)
        runs = run_every(seconds=every, job=job, wait=wait, alive=alive)
        logger.info("expiry scheduler stopped after %s run(s)", runs)
        return runs

    def close_once(self) -> None:
        """One pass. A failure (the database restarting) is logged and the next
        pass tries again: the loop outlives an outage."""
        try:
            closed = attempts_close_expired(now=timezone.now())
        except Exception:
            logger.exception("expiry scheduler: closing expired attempts failed")
            return
        if closed:
            logger.info("expiry scheduler: closed %s expired attempt(s)", closed)
