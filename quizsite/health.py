"""A liveness probe for load balancers and the benchmark's baseline."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """200 "ok" without touching the database: the process is up and serving."""
    return HttpResponse("ok", content_type="text/plain")
