from django.apps import AppConfig


class LtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes.lti"
    label = "lti"
    verbose_name = "LMS (LTI 1.3)"
