"""``manage.py lti_send_grades``: post the grades waiting for the LMS gradebooks.

Once by default; ``--every 60`` loops until SIGTERM or SIGINT (or the death of the
``--parent`` process that started it), like ``close_expired_attempts``. A grade is
tried at once when an attempt finishes; this sends what failed then, after its
back-off (``quizzes.lti.services.grades``), and what a "Retry now" made due.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from quizzes.lti.services.grades import grades_send_due
from quizzes.scheduler import die_with_parent, run_every, stop_event_on_signals

logger = logging.getLogger("quizzes.lti.services.grades")


class Command(BaseCommand):
    help = "Send the grades that are due to the LMS gradebooks (LTI AGS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running: send due grades now and then every SECONDS.",
        )
        parser.add_argument(
            "--parent",
            type=int,
            metavar="PID",
            help="With --every: stop when this process is gone.",
        )

    def handle(self, *args, every=None, parent=None, **options):
        if every is None:
            if parent is not None:
                raise CommandError("--parent goes with --every")
            report = grades_send_due(now=timezone.now())
            self.stdout.write(
                f"sent {report.sent}, failed {report.failed} (will retry), "
                f"gave up {report.gave_up}"
            )
            return
        if every < 1:
            raise CommandError(f"--every must be at least 1 second, not {every}")

        def job():
            close_old_connections()
            try:
                grades_send_due(now=timezone.now())
            except Exception:
                logger.exception("lti_send_grades: a pass failed")

        logger.info("grade passback: sending due grades every %s s", every)
        run_every(
            seconds=every,
            job=job,
            wait=stop_event_on_signals().wait,
            alive=die_with_parent(parent),
        )
