"""Commands that run once, or as a loop beside the server (``--every``).

The expiry scheduler (``close_expired_attempts``) and the LMS grade sender
(``lti_send_grades``) are both started by ``make run`` and gunicorn as children
of the server (``quizzes.scheduler``); this is what they share: the ``--every`` and
``--parent`` options, a pass that logs its failure and lets the next one try
again, and a fresh database connection before each pass.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from quizzes.scheduler import die_with_parent, run_every, stop_event_on_signals


class PeriodicCommand(BaseCommand):
    """Once by default; ``--every SECONDS`` loops until SIGTERM or SIGINT, or the
    death of the ``--parent`` process that started it.

    Subclasses set ``loop_name`` and ``loop_what`` (for the log: "expiry
    scheduler", "closing expired attempts"), ``log``, and ``run_pass``.
    """

    loop_name = "loop"
    loop_what = "running"
    log = logging.getLogger(__name__)

    def run_pass(self) -> tuple[int, str]:
        """One pass: how many things it did, and the line that says what."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help=f"Keep running: {self.loop_what} now and then every SECONDS "
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
            self.stdout.write(self.run_pass()[1])
            return
        if every < 1:
            raise CommandError(f"--every must be at least 1 second, not {every}")
        self.loop(every=every, alive=die_with_parent(parent), wait=None)

    def loop(self, *, every: int, alive, wait, refresh=close_old_connections) -> int:
        """Run a pass every ``every`` seconds until ``wait`` says stop or ``alive``
        says the server is gone. ``wait`` defaults to an event that SIGTERM/SIGINT
        set; tests pass one that never sleeps."""
        if wait is None:
            wait = stop_event_on_signals().wait

        def job():
            # No request here to trigger Django's per-request connection check: a
            # connection that broke (the database restarted) or aged out is
            # replaced before each pass, as a web worker's would be.
            refresh()
            self.pass_logged()

        self.log.info("%s: %s every %s s", self.loop_name, self.loop_what, every)
        runs = run_every(seconds=every, job=job, wait=wait, alive=alive)
        self.log.info("%s stopped after %s run(s)", self.loop_name, runs)
        return runs

    def pass_logged(self) -> None:
        """One pass in the loop. A failure (the database restarting, say) is logged
        and the next pass tries again: the loop outlives an outage."""
        try:
            done, summary = self.run_pass()
        except Exception:
            self.log.exception("%s: %s failed", self.loop_name, self.loop_what)
            return
        if done:
            self.log.info("%s: %s", self.loop_name, summary)
