"""The LMS (LTI 1.3) admin: one module per area; importing them registers them.

``launch``: platforms, deployments, tool keys, identities, courses, links.
``grades``: the grade outbox (what was sent to the LMS gradebooks, what failed).
"""

from quizzes.lti.admin import grades, launch  # noqa: F401  (registration)
