"""The LTI app's admin: one module per area; importing them registers them."""

from quizzes.lti.admin import grades  # noqa: F401  (registration)
