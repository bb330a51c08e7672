from django.contrib import admin
from django.urls import include, path

from quizsite.health import healthz
from quizzes.api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("quizzes.urls")),
]
