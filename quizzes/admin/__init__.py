"""The instructors' admin: banks and quizzes, attempts, and learner progress.

One module per area; importing them registers their ``ModelAdmin`` classes.
"""

from django.contrib import admin

from quizzes.admin import (  # noqa: F401  (registration)
    attempts,
    documents,
    overrides,
    progress,
    questions,
    quizzes,
    regrade,
    reports,
    users,
)
from quizzes.admin.attempts import AttemptAdmin
from quizzes.admin.autocomplete import autocomplete_view
from quizzes.admin.questions import ChoiceInlineFormSet, QuestionAdmin
from quizzes.admin.quizzes import QuizAdmin, QuizDrawFormSet

admin.site.site_header = "Clinical quizzes · instructors"
admin.site.site_title = "Clinical quizzes admin"
admin.site.index_title = "Banks, quizzes and progress"
admin.site.index_template = "admin/quizzes/index.html"
# The lists and progress pages are wide tables: the index and the breadcrumbs
# lead everywhere, so the width goes to the data rather than to a menu.
admin.site.enable_nav_sidebar = False
# Pickers label a result as its admin says (a section by its path).
admin.site.autocomplete_view = autocomplete_view

__all__ = [
    "AttemptAdmin",
    "ChoiceInlineFormSet",
    "QuestionAdmin",
    "QuizAdmin",
    "QuizDrawFormSet",
]
