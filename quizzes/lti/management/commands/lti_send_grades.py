"""``manage.py lti_send_grades``: post the grades waiting for the LMS gradebooks.

Once by default; ``--every 60`` loops until SIGTERM or SIGINT (or the death of the
``--parent`` process that started it), like ``close_expired_attempts``. It sends
the grades that finished attempts and regrades queued, the failed ones again after
their back-off (``quizzes.lti.services.grades``), and what a "Retry now" made due.
"""

import logging

from django.utils import timezone

from quizzes.lti.services.grades import grades_send_due
from quizzes.management.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = "Send the grades that are due to the LMS gradebooks (LTI AGS)."
    loop_name = "grade sender"
    loop_what = "sending due grades"
    log = logging.getLogger("quizzes.lti.services.grades")

    def run_pass(self) -> tuple[int, str]:
        report = grades_send_due(now=timezone.now())
        return (
            report.sent + report.failed + report.gave_up,
            f"sent {report.sent}, failed {report.failed} (will retry), "
            f"gave up {report.gave_up}",
        )
