"""Settings shared by every environment; each differs only by what it overrides."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "simple_history",
    "quizzes",
    "quizzes.lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session and CSRF middlewares, to mark the cookies they set.
    "quizsite.middleware.PartitionedCookies",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Lets the LMSs of LTI_FRAME_ANCESTORS frame the pages an LTI launch opens;
    # inside the two above, which read what it marks on the response.
    "quizzes.lti.middleware.LtiFrameAncestorsMiddleware",
    # Refuses an unreadable or oversized body with a clear 413/400 before the CSRF
    # check reads it (that check runs in process_view, after every middleware's
    # __call__); placed after CSP and X-Frame-Options so its page carries them.
    "quizsite.middleware.RequestBodyGuard",
    # Records who made each change to a question or choice (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the
    # lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses authentication while a username+IP is locked out, before the
    # password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing: 5 failures for one username from one IP lock that pair out for
# 15 minutes. Instructors unlock from the admin (Access attempts: delete).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; tries while locked do not
# extend it (they are refused before the password is checked anyway).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind a proxy, the client's address comes from X-Forwarded-For; set the number
# of trusted proxies in front of the app (0 = use REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER.insert(0, "HTTP_X_FORWARDED_FOR")

# Content-Security-Policy: scripts only from our own static files (no inline
# script, no CDN). Inline style attributes stay allowed: the admin and the
# server-side charts colour cells with them, and styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# LTI: the origins of the LMSs allowed to show our pages in an iframe (the LMS's
# own address, e.g. https://moodle.example.edu or https://school.instructure.com).
# Empty: nothing is frameable. See quizzes/lti/middleware.py.
LTI_FRAME_ANCESTORS = [
    o.strip() for o in os.environ.get("LTI_FRAME_ANCESTORS", "").split(",") if o.strip()
]

ROOT_URLCONF = "quizsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "quizsite.wsgi.application"

# SQLite is the embedded default; DATABASE_URL selects PostgreSQL (the scale database).
# Connections persist for 60 s, and each is checked before its first use in a request:
# after a database restart a worker reconnects at once instead of failing a request on
# the dead connection (the fault drill, bench/drill.py, measures it).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent autosaves: WAL lets readers run beside the writer, IMMEDIATE takes
    # the write lock at BEGIN (so a transaction never fails upgrading its lock), and
    # the timeout makes writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding with prepared statements: a statement the connection has
    # run 5 times (psycopg's default threshold) is parsed and planned once and then
    # only executed, which halved PostgreSQL's CPU per answer save (2.0 -> 0.9 ms,
    # docs/performance.md). Django turns preparing off unless asked (for
    # transaction-pooling PgBouncer before 1.21: set its max_prepared_statements).
    # (Added to what DATABASE_URL sets, such as sslmode.)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only production collects static files (into STATIC_ROOT, served by whitenoise);
# development and tests serve them from the apps through the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Optional Redis for the cache and the sessions; without it, the database holds
# sessions (read in one hand-written statement: quizsite/sessions.py) and each
# process caches in memory.
SESSION_ENGINE = "quizsite.sessions"
REDIS_URL = os.environ.get("REDIS_URL", "")
# The LTI launch's nonces, states and the platforms' cached keysets (quizzes/lti)
# must be seen by every worker: the OIDC login that stores a nonce and the launch
# that consumes it are two requests any two workers may serve, so a per-process
# memory cache would refuse most launches. Redis when there is one; else files on
# this machine (one node: several nodes share Redis, docs/scaling.md), whose delete
# is atomic, as the single-use nonce needs.
LTI_CACHE_DIR = os.environ.get("LTI_CACHE_DIR") or str(
    Path(tempfile.gettempdir()) / "quizsite-lti-cache"
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "lti": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": LTI_CACHE_DIR,
    },
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "lti": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lti",
        },
    }
    # cached_db: reads come from Redis, and a Redis restart in the middle of an
    # exam logs nobody out, because the sessions are also in the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads and request bodies: a clinical text is a few hundred kB at most.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# First, the handler that refuses a file over its view's limit before it is
# stored (quizsite.uploads); then Django's own two.
FILE_UPLOAD_HANDLERS = [
    "quizsite.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A question file (GIFT, Aiken, Moodle XML, CSV) uploaded in the admin: a
# 5,000-question bank is about 2 MB of GIFT, 10 of Moodle XML.
QUESTION_FILE_MAX_BYTES = 20 * 1024 * 1024
# Document and question-file import in the admin: an upload waits here between its
# preview and "Import" (a file named by a random token; deleted after the import or
# a day). All web workers must see the same directory.
DOCUMENT_STAGING_DIR = Path(
    os.environ.get("DOCUMENT_STAGING_DIR")
    or Path(tempfile.gettempdir()) / "quizsite-document-staging"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        # propagate=False: production adds a root handler, and each line would
        # otherwise be written twice.
        "quizzes": {
            "handlers": ["console"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}
