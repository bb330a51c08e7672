"""Fixtures of the progress tests."""

from tests.progress.cohort import cohort  # noqa: F401  (a fixture)
