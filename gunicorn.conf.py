"""gunicorn settings: `gunicorn -c gunicorn.conf.py quizsite.wsgi`.

WEB_CONCURRENCY sets the worker count (default 2 × cores + 1); BIND the address.
The access log records each request's duration in microseconds (%(D)s), which the
cohort benchmark reads for server-side timings.
"""

import multiprocessing
import os

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
