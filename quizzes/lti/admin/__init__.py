"""The LMS (LTI 1.3) admin: one module per area; importing them registers them.

``launch``: platforms, deployments, tool keys, identities, courses, links.
"""

from quizzes.lti.admin import launch  # noqa: F401  (registration)
