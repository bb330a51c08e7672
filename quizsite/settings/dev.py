"""Local development: debug on, a fixed key that is useless anywhere else."""

import os

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-never-used-in-production"
)
