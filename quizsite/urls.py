from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from quizsite.health import healthz
from quizzes.api import api


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the
    static icon (a 302, as its hashed name changes with each release), rather than
    a 404 in the log on every first visit."""
    return redirect(static("quizzes/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("lti/", include("quizzes.lti.urls")),
    # Log-in, log-out and password change only: no mail is configured, and
    # instructors reset trainees' passwords in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        # The site's own pages: the admin's templates of the same name would show
        # trainees the admin's look and breadcrumbs.
        auth_views.PasswordChangeView.as_view(
            template_name="quizzes/password_change.html"
        ),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="quizzes/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("", include("quizzes.urls")),
]
