"""gunicorn settings: `gunicorn -c gunicorn.conf.py quizsite.wsgi`.

WEB_CONCURRENCY sets the worker count (default 2 × cores + 1); BIND the address.
The access log records each request's duration in microseconds (%(D)s), which the
cohort benchmark reads for server-side timings.
"""

import multiprocessing
import os
from pathlib import Path

from quizzes.scheduler import scheduler_start, scheduler_stop

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)s'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No control socket: we do not use gunicornc, and its default path is one per user,
# so every other gunicorn on the machine (a second node, the drill's server, a
# test's) would fight over it.
control_socket_disable = True


# The expiry scheduler (quizzes/scheduler.py): a child of the master that closes
# attempts whose time ran out every minute, so production needs no cron.
# EXPIRY_SCHEDULER=0 leaves it out. It stops with the master (on_exit), restarts on
# a reload (SIGHUP: new code), and dies with it even after a `kill -9`
# (PR_SET_PDEATHSIG), so a restarted server never leaves one behind. Two servers
# may each run one: an attempt is closed, and scored, by one of them only.
MANAGE = Path(__file__).resolve().parent / "manage.py"


# Beside it, the same way, the LMS grade sender (quizzes/lti: ``lti_send_grades
# --every 60``): it posts the grades that finished attempts and regrades queued
# (no request waits on the LMS), and retries failed ones after their back-off,
# without a cron. EXPIRY_SCHEDULER=0 leaves both out.
LOOPS = {
    "expiry_scheduler": "close_expired_attempts",
    "grade_sender": "lti_send_grades",
}


def when_ready(server):
    for name, command in LOOPS.items():
        setattr(server, name, scheduler_start(manage=MANAGE, command=command))


def on_reload(server):
    on_exit(server)
    when_ready(server)


def on_exit(server):
    for name in LOOPS:
        scheduler_stop(getattr(server, name, None))
