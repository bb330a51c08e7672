"""Trainee-facing pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from quizzes.choices import QuestionStatus
from quizzes.models import Section


@login_required
def home(request):
    """The list of section banks, with how many published questions each holds."""
    sections = (
        Section.objects.filter(level=1)
        .select_related("document")
        .annotate(
            published=Count(
                "questions", filter=Q(questions__status=QuestionStatus.PUBLISHED)
            )
        )
    )
    return render(request, "quizzes/home.html", {"sections": sections})
