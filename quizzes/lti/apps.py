from django.apps import AppConfig


class LtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes.lti"
    label = "lti"
    verbose_name = "LMS (LTI 1.3)"

    def ready(self):
        # Grade passback follows the quizzes app's signal: quizzes never imports
        # the LTI app (quizsite → quizzes.lti → quizzes).
        from quizzes.lti.services.grades import grades_on_change
        from quizzes.signals import grade_changed

        grade_changed.connect(grades_on_change, dispatch_uid="lti-grades")
