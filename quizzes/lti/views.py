"""The LTI endpoints: the tool's JWKS (and, next, the login and the launch)."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from quizzes.lti.keys import tool_jwks

# Platforms fetch this on each message they verify, or cache it: a few minutes
# spares the database, and a rotated key is still published for days anyway.
JWKS_MAX_AGE = 300


@require_GET
@cache_control(public=True, max_age=JWKS_MAX_AGE)
def jwks(request):
    """The tool's public keys (current and recently retired), for platforms to
    verify our deep-linking responses and service token requests."""
    return JsonResponse(tool_jwks(now=timezone.now()))
