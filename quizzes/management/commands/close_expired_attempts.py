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

from django.utils import timezone

from quizzes.management.periodic import PeriodicCommand
from quizzes.services.attempts import attempts_close_expired


class Command(PeriodicCommand):
    help = "Finish and score every in-progress attempt past its deadline."
    loop_name = "expiry scheduler"
    loop_what = "closing expired attempts"
    log = logging.getLogger("quizzes.scheduler")

    def run_pass(self) -> tuple[int, str]:
        closed = attempts_close_expired(now=timezone.now())
        return closed, f"closed {closed} expired attempt(s)"
