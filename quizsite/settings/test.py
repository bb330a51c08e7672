"""The test suite: fast hashing, a fixed key, the database from DATABASE_URL."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
