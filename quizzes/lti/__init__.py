"""LTI 1.3 Advantage: the platform is launched from an LMS (Moodle, Canvas, ...).

Its own Django app (label ``lti``), on top of the quizzes app and never imported
by it: platforms and deployments registered by instructors, the tool's signing
keys, who a launch is (issuer + subject), the LMS courses (contexts) with their
roster, the resource links that point at quizzes, and the outbox of grades posted
back to the LMS gradebook. Token validation, OIDC and the service calls are the
``pylti1p3`` library's (the maintained ``pylti1p3next`` fork).
"""
