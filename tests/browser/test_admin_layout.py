"""Every admin page fits a 1280 px screen: no horizontal scrolling of the page, and
no main table cut off or scrolling inside its box, with a realistic cohort loaded.

The one exception is the cohort heatmap, whose sections may outnumber any screen: it
scrolls inside its own box, with the trainees' names (its first column) sticky.

To cover a new page, add a ``Page`` to ``PAGES``: a name, who opens it (``"staff"``
for an instructor, ``"root"`` for a superuser) and a function from the ``Cohort``
below to the page's URL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from quizzes.choices import QuestionStatus
from quizzes.models import (
    Accommodation,
    Answer,
    Attempt,
    DeadlineExtension,
    ProblemReport,
    Question,
    Quiz,
    QuizOverride,
    Section,
    SourceDocument,
)
from quizzes.services.attempts import answer_save, attempt_start
from quizzes.services.attempts_admin import attempt_deadline_extend
from quizzes.services.instructors import instructor_create
from quizzes.services.overrides import quiz_override_save
from quizzes.services.progress_seed import cohort_seed
from tests.admin.factories import SuperuserFactory
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS
from tests.factories import QuestionFactory

# What a page looks like, not how it is stored: once is enough (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend_independent]


# Overflow, measured in the page: the document wider than the window, a table
# wider than the screen, or a box (a changelist's .results, an inline's wrapper)
# that scrolls sideways, i.e. hides columns behind a scroll bar. The heatmap's box
# is allowed to scroll.
OVERFLOW_JS = """
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`page ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const table of document.querySelectorAll('table')) {
    if (table.closest('.heatmap-scroll') || !table.offsetParent) continue;
    const right = table.getBoundingClientRect().right;
    if (right > window.innerWidth + 1) {
      problems.push(`${name(table)} ends at ${Math.round(right)}px`);
    }
    for (let box = table.parentElement; box && box !== document.body;
         box = box.parentElement) {
      const style = getComputedStyle(box);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)
          && box.scrollWidth > box.clientWidth + 1) {
        const columns = [...table.querySelectorAll('thead th')].map(
          (th) => `${(th.className || th.textContent).trim().slice(0, 24)} ` +
                  `${Math.round(th.getBoundingClientRect().width)}`);
        problems.push(
          `${name(box)} around ${name(table)} scrolls: ` +
          `${box.scrollWidth}px of content in ${box.clientWidth}px ` +
          `(columns: ${columns.join(', ')})`);
      }
    }
  }
  return [...new Set(problems)];
}
"""

# The heatmap's box, then scrolled to its right end: the trainee column must stay
# at the box's left edge (sticky), not scroll away with the cells.
HEATMAP_JS = """
() => {
  const box = document.querySelector('.heatmap-scroll');
  const name = document.querySelector('table.heatmap tbody th');
  const rect = box.getBoundingClientRect();
  box.scrollLeft = box.scrollWidth;
  const result = {
    boxRight: rect.right,
    boxScrolls: getComputedStyle(box).overflowX,
    nameOffset: Math.round(name.getBoundingClientRect().left - rect.left),
  };
  box.scrollLeft = 0;
  return result;
}
"""


@dataclass
class Cohort:
    question: Question
    quiz: Quiz
    attempt: Attempt
    answer: Answer
    document: SourceDocument
    section: Section
    trainee: object
    instructor: object
    accommodation: Accommodation
    extension: DeadlineExtension
    override: QuizOverride
    report: ProblemReport | None = None
    draft: Question | None = None


@dataclass(frozen=True)
class AdminPage:
    """``name``; ``who`` opens it: "staff" (an instructor) or "root" (a superuser);
    ``url``: the admin URL name, without "admin:"; ``arg``: its argument, if any,
    as an attribute path on the ``Cohort`` ("quiz.pk"); ``query``: a query-string
    parameter and its value's attribute path ("section=section.pk")."""

    name: str
    who: str
    url: str
    arg: str = ""
    query: str = ""

    def path(self, cohort: Cohort) -> str:
        args = [self.value(cohort, self.arg)] if self.arg else []
        url = reverse(f"admin:{self.url}", args=args)
        if self.query:
            name, _, attribute = self.query.partition("=")
            url += f"?{name}={self.value(cohort, attribute)}"
        return url

    @staticmethod
    def value(cohort: Cohort, attribute: str):
        value = cohort
        for part in attribute.split("."):
            value = getattr(value, part)
        return value


PAGES = [
    AdminPage("index", "staff", "index"),
    AdminPage("question-list", "staff", "quizzes_question_changelist"),
    AdminPage("question", "staff", "quizzes_question_change", "question.pk"),
    AdminPage("question-add", "staff", "quizzes_question_add"),
    AdminPage("question-preview", "staff", "quizzes_question_preview", "question.pk"),
    AdminPage("question-versions", "staff", "quizzes_question_versions", "question.pk"),
    AdminPage("question-import", "staff", "quizzes_question_import"),
    AdminPage(
        "question-export", "staff", "quizzes_question_export", query="quiz=quiz.pk"
    ),
    AdminPage(
        "section-export",
        "staff",
        "quizzes_question_export",
        query="section=section.pk",
    ),
    AdminPage("question-draft", "staff", "quizzes_question_change", "draft.pk"),
    AdminPage("question-quote-drafts", "staff", "quizzes_question_quote_drafts"),
    AdminPage("quiz-list", "staff", "quizzes_quiz_changelist"),
    AdminPage("quiz", "staff", "quizzes_quiz_change", "quiz.pk"),
    AdminPage("quiz-add", "staff", "quizzes_quiz_add"),
    AdminPage("attempt-list", "staff", "quizzes_attempt_changelist"),
    AdminPage("attempt", "staff", "quizzes_attempt_change", "attempt.pk"),
    AdminPage("attempt-review", "staff", "quizzes_attempt_review", "attempt.pk"),
    AdminPage("answer-list", "staff", "quizzes_answer_changelist"),
    AdminPage("answer", "staff", "quizzes_answer_change", "answer.pk"),
    AdminPage("document-list", "staff", "quizzes_sourcedocument_changelist"),
    AdminPage("document", "staff", "quizzes_sourcedocument_change", "document.pk"),
    AdminPage("document-add", "staff", "quizzes_sourcedocument_add"),
    AdminPage("section-list", "staff", "quizzes_section_changelist"),
    AdminPage("section", "staff", "quizzes_section_change", "section.pk"),
    AdminPage("trainee-list", "staff", "quizzes_trainee_changelist"),
    AdminPage("trainee-progress", "staff", "quizzes_trainee_progress", "trainee.pk"),
    AdminPage("cohort", "staff", "quizzes_trainee_cohort"),
    AdminPage("accommodation-list", "staff", "quizzes_accommodation_changelist"),
    AdminPage(
        "accommodation", "staff", "quizzes_accommodation_change", "accommodation.pk"
    ),
    AdminPage("extension-list", "staff", "quizzes_deadlineextension_changelist"),
    AdminPage("extension", "staff", "quizzes_deadlineextension_change", "extension.pk"),
    AdminPage("override-list", "staff", "quizzes_quizoverride_changelist"),
    AdminPage("override", "staff", "quizzes_quizoverride_change", "override.pk"),
    AdminPage("override-add", "staff", "quizzes_quizoverride_add"),
    AdminPage("report-list", "staff", "quizzes_problemreport_changelist"),
    AdminPage("report", "staff", "quizzes_problemreport_change", "report.pk"),
    AdminPage("user-list", "root", "auth_user_changelist"),
    AdminPage("user", "root", "auth_user_change", "instructor.pk"),
    AdminPage("group-list", "root", "auth_group_changelist"),
]


# Taken by the layout test at 1280 × 800: page name → file in docs/.
SCREENSHOTS = {
    "question-list": "admin-question-list.png",
    "cohort": "admin-cohort-heatmap.png",
    "attempt-list": "admin-attempt-list.png",
    "attempt-review": "admin-attempt-review.png",
}


@pytest.fixture
def cohort(seeded) -> Cohort:
    """The seed banks and quizzes, 40 trainees with 6 finished attempts each (as
    ``seed_demo_progress`` seeds them), and a few live attempts: one in progress,
    one past its deadline (not closed), one extended, one with an accommodation."""
    now = timezone.now()
    cohort_seed(
        trainees=40,
        attempts_per_trainee=6,
        now=now,
        prefix="cohort-",
        rng=random.Random(10),
    )
    instructor, _ = instructor_create(
        username="ida", first_name="Ida", last_name="Tutor"
    )
    quizzes = list(Quiz.objects.exclude(time_limit=None).order_by("title")[:3])
    User = get_user_model()
    live = [
        User.objects.create_user(f"live-{n}", first_name="Maximilian-Alexander",
                                 last_name=f"Oyelaran-Featherstonehaugh {n}")
        for n in range(3)
    ]  # fmt: skip
    accommodation = Accommodation.objects.create(
        trainee=live[2],
        quiz=quizzes[0],
        time_factor=1.5,
        reason="Dyslexia: 50 % more time, agreed with the programme director.",
    )
    attempts = []
    for trainee, quiz, started in [
        (live[0], quizzes[0], now - timedelta(minutes=2)),
        (live[1], quizzes[1], now - timedelta(days=1)),  # overdue, not closed
        (live[2], quizzes[0], now - timedelta(minutes=1)),
    ]:
        attempt = attempt_start(
            trainee=trainee, quiz=quiz, now=started, rng=random.Random(1)
        ).attempt
        for answer in attempt.answers.select_related("question")[:3]:
            answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=answer.choice_order[:1],
                flagged=answer.position == 2,
                now=started + timedelta(seconds=30),
            )
        attempts.append(attempt)
    extension = attempt_deadline_extend(
        attempt=attempts[2],
        by=instructor,
        minutes=10,
        reason="Fire alarm during the exam; the room was evacuated for ten minutes.",
        now=now,
    )
    finished = Attempt.objects.exclude(state="in_progress").order_by("-score").first()
    answer = finished.answers.select_related("question__section__document").first()
    override = quiz_override_save(
        override=QuizOverride(
            quiz=finished.quiz,
            trainee=finished.trainee,
            closes_at=now + timedelta(days=7),
            attempts_allowed=4,
            time_limit=timedelta(minutes=90),
            reason="Missed the exam for a night shift; a resit agreed with the lead.",
        ),
        by=instructor,
    )
    return Cohort(
        question=answer.question,
        quiz=finished.quiz,
        attempt=finished,
        answer=answer,
        document=answer.question.section.document,
        section=answer.question.section,
        trainee=finished.trainee,
        instructor=instructor,
        accommodation=accommodation,
        extension=extension,
        override=override,
        # Made directly: whether this seed quiz's review is open yet does not
        # matter to the layout.
        report=ProblemReport.objects.create(
            trainee=finished.trainee,
            question=answer.question,
            attempt=finished,
            answer=answer,
            category="unclear",
            text="“Not feasible”: does a failed cannula after two tries count? The "
            "section does not say, and the rationale of the key assumes it does.",
            created_at=now,
        ),
        # An imported draft without a source quote: its page suggests sentences.
        draft=QuestionFactory(
            section=answer.question.section,
            status=QuestionStatus.DRAFT,
            name="Imported from GIFT: a long title as Moodle exports write them",
            stem=answer.question.stem,
            explanation=answer.question.explanation,
            source_quote="",
        ),
    )


def log_in(context: BrowserContext, user, live_server) -> None:
    """A session made by the test client, handed to the browser as its cookie."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )


def test_every_admin_page_fits_1280_px(
    page: Page, context: BrowserContext, cohort: Cohort, live_server
):
    """At 1280 × 800 no admin page scrolls sideways, and no table is cut off or
    hidden behind a scroll bar; the heatmap scrolls inside its own box, its
    trainee column sticky. The list of problems names every page at once."""
    assert page.viewport_size == DESKTOP
    users = {"staff": cohort.instructor, "root": SuperuserFactory()}
    problems = {}
    who = None
    for admin_page in PAGES:
        if admin_page.who != who:
            context.clear_cookies()
            log_in(context, users[admin_page.who], live_server)
            who = admin_page.who
        response = page.goto(admin_page.path(cohort))
        assert response.status == 200, admin_page.name
        found = page.evaluate(OVERFLOW_JS)
        if found:
            problems[admin_page.name] = found
        if admin_page.name in SCREENSHOTS:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=DOCS_SCREENSHOTS / SCREENSHOTS[admin_page.name])
        if admin_page.name == "cohort":
            heatmap = page.evaluate(HEATMAP_JS)
            # Ten sections fit 1280 px; on a narrower window the box scrolls, and
            # the trainee column must stay in view.
            page.set_viewport_size({"width": 900, "height": 800})
            heatmap["nameOffsetAt900px"] = page.evaluate(HEATMAP_JS)["nameOffset"]
            page.set_viewport_size(DESKTOP)
            if not (
                heatmap["boxRight"] <= DESKTOP["width"]
                and heatmap["boxScrolls"] in ("auto", "scroll")
                and abs(heatmap["nameOffset"]) <= 2
                and abs(heatmap["nameOffsetAt900px"]) <= 2
            ):
                problems["cohort heatmap"] = heatmap
    assert not problems, "\n".join(
        f"{name}: {'; '.join(map(str, found)) if isinstance(found, list) else found}"
        for name, found in problems.items()
    )
