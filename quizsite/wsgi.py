import os

from django.core.wsgi import get_wsgi_application

# Production servers set DJANGO_SETTINGS_MODULE=quizsite.settings.production.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings.dev")
application = get_wsgi_application()
