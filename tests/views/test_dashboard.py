"""The trainee's dashboard (the home page): what it shows, from whose data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import QuizMode
from quizzes.models import QuizDraw
from quizzes.progress import ProgressFilter, top_sections, trainee_mastery
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.personal_tests import personal_test_create
from tests.factories import QuestionFactory, SectionFactory
from tests.views.conftest import NOW
from tests.views.factories import QuizFactory, quiz_with_questions

pytestmark = pytest.mark.django_db


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def sit(trainee, quiz, *, right: int, now=None, finish=True):
    """Start ``quiz`` and answer its first ``right`` questions right, the rest
    wrong."""
    now = now or timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in attempt.answers.select_related("question").order_by("position"):
        choices = answer.question.choices.filter(
            is_correct=answer.position <= right
        ).order_by("order")
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[choices[0].pk],
            flagged=False,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now) if finish else attempt


def test_attempts_in_progress_come_first_with_time_left_and_continue(
    client_of, trainee, clock
):
    """A timed exam (10 minutes, 4 gone) and the trainee's own untimed test, both in
    progress: listed before everything else, each with its time left."""
    exam = quiz_with_questions(2, title="Airway exam", time_limit=timedelta(minutes=10))
    attempt = attempt_start(trainee=trainee, quiz=exam, now=NOW).attempt
    section = exam.fixed.first().question.section
    mine = personal_test_create(
        trainee=trainee,
        question_ids=list(section.questions.values_list("pk", flat=True)),
        mode="tutor",
        title="My airway test",
        now=NOW,
    )
    own = attempt_start(trainee=trainee, quiz=mine, now=NOW).attempt
    clock.move_to(NOW + timedelta(minutes=4))
    html = client_of(trainee).get(reverse("home")).content.decode()
    progress = html.split('id="in-progress-title">', 1)[1].split("</section>")[0]
    assert html.index('id="in-progress-title"') < html.index('id="mastery-title"')
    assert text_of(progress) == (
        "In progress Airway exam 2 questions · 6 min left Continue Airway exam "
        "My airway test Your own test · 2 questions · No time limit Continue "
        "My airway test"
    )
    assert f'href="{attempt.get_absolute_url()}">Continue' in progress
    assert f'href="{own.get_absolute_url()}">Continue' in progress


def test_mastery_is_the_instructors_figure_with_its_answers(client_of, trainee, clock):
    """3 of 4 right on one section (75 %), one answer of one right on another:
    the rows read what progress.trainee_mastery reads, with the number of answers."""
    first = quiz_with_questions(4, title="First")
    second = quiz_with_questions(1, title="Second")
    sit(trainee, first, right=3)
    sit(trainee, second, right=1)
    html = client_of(trainee).get(reverse("home")).content.decode()
    expected = trainee_mastery(
        trainee=trainee, sections=top_sections(), filters=ProgressFilter()
    )
    assert [(m.percent, m.answers) for _, m in expected] == [(75.0, 4), (100.0, 1)]
    for section, mastery in expected:
        row = html.split(f'<tr id="mastery-{section.id}">', 1)[1].split("</tr>")[0]
        assert f'<span class="pct">{mastery.percent:.1f} %</span>' in row
        assert f'<td class="answers">{mastery.answers}</td>' in row


def test_the_streak_counts_days_in_a_row_up_to_today(client_of, trainee, clock):
    """Answers on 2, 3 and 4 March, viewed on 5 March before any study that day:
    a streak of 3 (it ends yesterday)."""
    quiz = quiz_with_questions(1, attempts_allowed=None)
    for day in range(3):
        sit(trainee, quiz, right=1, now=NOW + timedelta(days=day))
    clock.move_to(NOW + timedelta(days=3))
    html = client_of(trainee).get(reverse("home")).content.decode()
    assert '<dd id="streak">3 days</dd>' in html


def test_the_score_chart_has_a_title_a_description_and_a_table(
    client_of, trainee, clock
):
    sit(trainee, quiz_with_questions(4, title="Dosing"), right=1)
    html = client_of(trainee).get(reverse("home")).content.decode()
    assert '<title id="scores-title">Your scores over time</title>' in html
    assert "Your last 1 finished attempts, oldest first, from 25 % to 25 %" in html
    hidden = html.split('<div class="visually-hidden">', 1)[1]
    table = hidden.split("</table>")[0]
    assert "<td>Dosing, attempt 1</td><td>25%</td>" in table


def test_the_next_step_is_the_weakest_section_and_links_to_the_builder(
    client_of, trainee, clock
):
    """Two sections of 6 questions: 1 of 1 right in Strong, 0 of 1 in Weak; both
    keep 5 unused, so Weak (0 %) is next, pre-selected in the builder."""
    strong, weak = SectionFactory(title="Strong"), SectionFactory(title="Weak")
    exams = {}
    for section in (strong, weak):
        for _ in range(6):
            QuestionFactory(section=section)
        exams[section] = QuizFactory(title=f"{section.title} exam")
        QuizDraw.objects.create(quiz=exams[section], section=section, count=1)
    sit(trainee, exams[strong], right=1)
    sit(trainee, exams[weak], right=0)
    html = client_of(trainee).get(reverse("home")).content.decode()
    assert (
        "Build a test from the 5 unused questions of Weak , your weakest section (0 %)."
        in text_of(html)
    )
    link = f"{reverse('build_test')}?section={weak.pk}&amp;pool=unused"
    assert f'<a class="button" href="{link}">Build this test</a>' in html


def test_exams_apart_from_practice_grouped_by_document(client_of, trainee, clock):
    exam = quiz_with_questions(1, title="Routes exam")
    practice = quiz_with_questions(
        1, title="Routes practice", mode=QuizMode.TUTOR, time_limit=None
    )
    html = client_of(trainee).get(reverse("home")).content.decode()
    exams, practices = html.split("<h3>Exams</h3>", 1)[1].split("<h3>Practice</h3>")
    for quiz, part, other in ((exam, exams, practices), (practice, practices, exams)):
        document = quiz.fixed.first().question.section.document.title
        assert f"<summary>{document} " in part
        assert quiz.title in part and quiz.title not in other


def test_reviews_due_link_to_the_review(client_of, trainee, clock):
    html = client_of(trainee).get(reverse("home")).content.decode()
    assert '<a href="/study/review/">Reviews due: 0</a>' in html
