"""The builder page (/study/build/), personal tests on the home page, and their
privacy: another trainee's personal test is not found, whoever asks."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.choices import QuizMode
from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.personal_tests import personal_test_create
from tests.admin.factories import SuperuserFactory
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    UserFactory,
)
from tests.views.conftest import NOW

pytestmark = pytest.mark.django_db
BUILD = reverse("build_test")


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def section(db):
    section = SectionFactory(title="Airway")
    for _ in range(3):
        QuestionFactory(section=section)
    return section


def post(client, section, **fields):
    data = {
        "sections": [section.pk],
        "count": 2,
        "mode": "tutor",
        "pools": ["all"],
        "seconds_per_question": 90,
    } | fields
    return client.post(BUILD, data)


def test_the_form_lists_each_section_with_its_counts(client_of, trainee, section):
    page = text_of(client_of(trainee).get(BUILD).content.decode())
    assert "Airway 3 unused · 0 incorrect · 0 flagged · 3 in all" in page


def test_the_page_needs_a_login(client, section):
    response = client.get(BUILD)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_post_builds_the_test_and_opens_its_attempt(
    client_of, trainee, section, clock
):
    response = post(client_of(trainee), section)
    attempt = Attempt.objects.get(trainee=trainee)
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
    assert attempt.quiz.owner == trainee
    assert attempt.answers.count() == 2


def test_a_shortfall_is_said_on_the_attempt_page(client_of, trainee, section, clock):
    client = client_of(trainee)
    response = post(client, section, count=7)
    page = client.get(response["Location"]).content.decode()
    assert "Only 3 questions match: your test has 3." in page


def test_a_timed_test_is_timed_by_the_seconds_asked(client_of, trainee, section, clock):
    post(client_of(trainee), section, mode="timed", seconds_per_question=30)
    quiz = Quiz.objects.get(owner=trainee)
    assert quiz.mode == QuizMode.EXAM
    assert quiz.time_limit.total_seconds() == 60


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": 0}, "Ask for 1 to 100 questions."),
        ({"count": "many"}, "Enter a whole number."),
        ({"mode": "timed", "seconds_per_question": 5}, "Allow 10 to 600 seconds"),
        ({"pools": ["flagged"]}, "No question of these sections is in the pools"),
        ({"sections": []}, "Choose at least one section."),
    ],
)
def test_a_refusal_is_a_400_with_the_message_next_to_its_field(
    client_of, trainee, section, fields, message
):
    """Nothing is created, and the message stands in the form."""
    response = post(client_of(trainee), section, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Quiz.objects.filter(owner=trainee).exists()


def test_the_builder_post_needs_the_csrf_token(trainee, section):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    assert post(client, section).status_code == 403


def my_test(trainee, section, now=NOW):
    questions = list(section.questions.values_list("pk", flat=True))
    quiz = personal_test_create(
        trainee=trainee, question_ids=questions, mode="tutor", title="My test", now=now
    )
    return quiz, attempt_start(trainee=trainee, quiz=quiz, now=now).attempt


def test_home_lists_personal_tests_under_my_tests_not_with_quizzes(
    client_of, trainee, section, clock
):
    QuizFactory(title="Assigned one", with_questions=list(section.questions.all()))
    _, attempt = my_test(trainee, section)
    attempt_finish(attempt=attempt, now=NOW)
    page = text_of(client_of(trainee).get(reverse("home")).content.decode())
    assigned, mine = page.split("Assigned quizzes", 1)[1].split("My tests", 1)
    assert "Assigned one" in assigned and "My test" not in assigned
    assert "My test Built 2 Mar 2026 09:00 Mode Tutor, 3 questions Result 0%" in mine


def test_another_trainees_personal_test_is_not_listed(
    client_of, trainee, other_trainee, section, clock
):
    my_test(other_trainee, section)
    page = client_of(trainee).get(reverse("home")).content.decode()
    assert "My test<" not in page
    assert "You have not built a test yet." in page


@pytest.mark.parametrize("staff", [False, True])
def test_another_trainees_personal_test_is_404_to_anyone_else(
    client_of, trainee, section, clock, staff
):
    """Its intro, its start, its attempt and the API's start: not found, to a
    trainee and to staff alike on the trainee pages."""
    quiz, attempt = my_test(trainee, section)
    someone = SuperuserFactory() if staff else None
    client = client_of(someone or UserFactory(username="carol"))
    assert client.get(quiz.get_absolute_url()).status_code == 404
    assert client.post(reverse("quiz_start", args=[quiz.slug])).status_code == 404
    assert client.get(attempt.get_absolute_url()).status_code == 404
    api = client.post(f"/api/quizzes/{quiz.slug}/attempts")
    assert api.status_code == 404


def test_the_owner_may_open_their_own_test(client_of, trainee, section, clock):
    quiz, attempt = my_test(trainee, section)
    client = client_of(trainee)
    assert client.get(quiz.get_absolute_url()).status_code == 200
    assert client.get(attempt.get_absolute_url()).status_code == 200


def test_the_builder_page_runs_the_same_queries_for_a_long_history(
    client_of, trainee, section, clock, django_assert_max_num_queries
):
    """1. session, 2. user, 3. top-level sections, 4. published questions, 5. the
    trainee's answers (one row each): 5 for one test as for ten."""
    client = client_of(trainee)
    for n in range(10):
        _, attempt = my_test(trainee, section)
        attempt_finish(attempt=attempt, now=NOW)
        if n in (0, 9):
            with django_assert_max_num_queries(5):
                assert client.get(BUILD).status_code == 200


def test_a_refused_form_keeps_what_was_sent(client_of, trainee, section):
    """No pool ticked stays unticked next to its error; the count sent stays."""
    page = post(client_of(trainee), section, pools=[], count=42).content.decode()
    assert re.search(r'value="unused" id="pool-unused"\s*>', page)
    assert 'value="42"' in page
    assert "Choose at least one pool of questions." in page


def test_a_first_visit_offers_the_unused_questions(client_of, trainee, section):
    page = client_of(trainee).get(BUILD).content.decode()
    assert 'value="unused" id="pool-unused" checked' in page


def test_a_link_may_preselect_a_section_and_a_pool(client_of, trainee, section):
    """The dashboard's next step links to ?section=ID&pool=incorrect: that
    section and that pool come ticked; unused is then not."""
    other = SectionFactory(title="Breathing")
    QuestionFactory(section=other)
    url = f"{BUILD}?section={section.pk}&pool=incorrect"
    page = client_of(trainee).get(url).content.decode()
    assert f'id="section-{section.pk}" checked' in page
    assert f'id="section-{other.pk}">' in page
    assert 'id="pool-incorrect" checked' in page
    assert 'id="pool-unused">' in page


def test_a_preselection_not_on_offer_is_ignored(client_of, trainee, section):
    """A stale or altered link is no error: the page opens as on a first visit."""
    url = f"{BUILD}?section=abc&section=999999&pool=everything"
    response = client_of(trainee).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="section-{section.pk}">' in page
    assert 'value="unused" id="pool-unused" checked' in page
