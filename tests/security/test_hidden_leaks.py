"""The places a key could hide in a page: comments, data attributes, embedded JSON.

The page tests scan whole pages for the feedback texts; this one takes every page of
an attempt in progress apart and checks the hiding places one by one, for the
feedback texts and for the key itself (the ids of the correct choices).
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Choice, Quiz
from quizzes.services.attempts import attempt_start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
REVIEWED_DATA_ATTRIBUTES = {
    # markers without a value, for the script to find its elements
    "data-answer-form",
    "data-attempt",
    "data-nav-state",
    "data-save-status",
    "data-timer",
    "data-timer-announcer",
    # the attempt screen's bar, timer toggle, heading and shortcut list (issue 15);
    # data-progress-answered wraps the number answered, shown on the page anyway
    "data-attempt-bar",
    "data-progress-answered",
    "data-question-heading",
    "data-shortcuts",
    "data-shortcuts-switch",
    "data-timer-hidden-note",
    "data-timer-line",
    "data-timer-toggle",
    # each option's row and its strike-out box (whose value is the option's id,
    # as the choice's own is), and the phone's sticky actions (issue 15)
    "data-choice",
    "data-strike",
    "data-attempt-actions",
    # positions, ids, URLs and the clock; seq numbers the page's changes
    "data-attempt-id",
    "data-nav-position",
    "data-position",
    "data-question-id",
    "data-result-url",
    "data-save-url",
    "data-confirm-url",
    "data-seconds-left",
    "data-seq",
    "data-submit-url",
    # the service worker's URL; "network" (the offline copy says "offline-copy")
    "data-service-worker-url",
    "data-page-source",
}
KEY_WORDS = re.compile(r"correct|rationale|explanation|source.?quote|answer.?key", re.I)


class HidingPlaces(HTMLParser):
    """Collects comments, data-* attributes and script contents of a page."""

    def __init__(self):
        super().__init__()
        self.comments: list[str] = []
        self.data_attributes: dict[str, str] = {}
        self.scripts: list[str] = []
        self._in_script = False

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("data-"):
                self.data_attributes[name] = value or ""
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts.append(data)


def test_no_key_hides_in_comments_data_attributes_or_embedded_json(seeded, client):
    call_command("create_seed_quizzes", verbosity=0)
    trainee = UserFactory()
    quiz = Quiz.objects.get(slug="comprehensive-ketamine-clinical-overview")
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    question_ids = list(attempt.answers.values_list("question_id", flat=True))
    choices = Choice.objects.filter(question_id__in=question_ids)
    secrets = {c.rationale for c in choices} | {
        text
        for q in attempt.answers.select_related("question")
        for text in (q.question.explanation, q.question.source_quote)
    }
    client.force_login(trainee)
    urls = [f"{attempt.get_absolute_url()}?q={n}" for n in range(1, 41)]
    urls += [reverse("attempt_submit", args=[attempt.pk]), "/", "/history/"]

    for url in urls:
        places = HidingPlaces()
        places.feed(client.get(url).content.decode())
        hidden = (
            places.comments + list(places.data_attributes.values()) + places.scripts
        )
        for text in hidden:
            assert not any(secret in text for secret in secrets), url
            assert not KEY_WORDS.search(text), (url, text)
        # Every data attribute is known to hold positions, URLs or the clock; a new
        # one must be looked at (and added here) before it ships.
        assert set(places.data_attributes) <= REVIEWED_DATA_ATTRIBUTES, url
        for script in places.scripts:
            with pytest.raises(json.JSONDecodeError):
                json.loads(script)  # no embedded JSON data at all
