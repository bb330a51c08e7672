"""The trainee pages. The JSON API is mounted separately, at /api/."""

from django.urls import path

from quizzes import views

urlpatterns = [
    path("", views.home, name="home"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz_start"),
    path(
        "quizzes/<slug:slug>/safe-exam-browser.seb",
        views.quiz_seb_file,
        name="quiz_seb_file",
    ),
    path("attempts/sw.js", views.service_worker, name="service_worker"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path(
        "attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"
    ),
    path(
        "attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"
    ),
    path(
        "attempts/<int:attempt_id>/review/", views.attempt_review, name="attempt_review"
    ),
    path(
        "attempts/<int:attempt_id>/questions/<int:question_id>/report/",
        views.question_report,
        name="question_report",
    ),
    path("history/", views.history, name="history"),
    path("study/build/", views.build_test, name="build_test"),
    path("study/review/", views.review_due, name="review_due"),
]
