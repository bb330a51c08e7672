from django.urls import path

from quizzes.lti import views

app_name = "lti"

urlpatterns = [
    path("jwks/", views.jwks, name="jwks"),
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("deep-link/<str:key>/", views.deep_link, name="deep_link"),
    path("courses/<int:context_id>/", views.course, name="course"),
    path(
        "courses/<int:context_id>/sync/",
        views.course_roster_sync,
        name="course_roster_sync",
    ),
]
