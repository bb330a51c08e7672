"""The test suite: fast hashing, a fixed key, the database from DATABASE_URL."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: the concurrency tests need real connections
    # from several threads, with WAL and IMMEDIATE transactions as in production.
    # One file per test process, so that two suites running at once never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": Path(tempfile.gettempdir()) / f"quizsite-test-{os.getpid()}.sqlite3"
    }

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# One LTI cache directory per test process, unless LTI_CACHE_DIR names one: the
# two CI suites run side by side, and each test empties its caches
# (tests/conftest.py).
if not os.environ.get("LTI_CACHE_DIR"):
    CACHES["lti"]["LOCATION"] = str(  # noqa: F405
        Path(tempfile.gettempdir()) / f"quizsite-test-lti-cache-{os.getpid()}"
    )
