"""The statistics page of a quiz, its CSV, and the question list's item columns.

The golden cohort: four trainees, three single-best-answer questions A, B, C (key
first). Marks A = 1 1 1 0, B = 1 1 0 0, C = 1 0 0 0, so totals 3 2 1 0. By hand:
mean = median = 1.5 marks; s² = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3; the
variances of A, B, C are 1/4, 1/3, 1/4; CIC = 100 · 3/2 · (1 - (5/6) / (5/3)) = 75 %;
error ratio = 100 · √(1 - 0.75) = 50 %; standard error = 0.5 · s; A's discrimination
index = corr([1 1 1 0], [2 1 0 0]) = 0.75 / √(0.75 · 2.75) = 52.2 %.
"""

import csv
import io
import math
import statistics
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from quizzes.services.item_analysis import quiz_item_report
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory
from tests.services.test_item_analysis import T0, sit

pytestmark = pytest.mark.django_db

MARKS = {"A": [1, 1, 1, 0], "B": [1, 1, 0, 0], "C": [1, 0, 0, 0]}


def stats_url(quiz, **params) -> str:
    url = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    return f"{url}?{urlencode(params)}" if params else url


@pytest.fixture
def cohort():
    """The golden cohort of the module's docstring; a wrong answer picks choice 2
    (index 1), so A's choices 3 and 4 are never picked."""
    section = SectionFactory()
    questions = {
        name: QuestionFactory(section=section, ref=f"q-{name}") for name in MARKS
    }
    quiz = QuizFactory(with_questions=list(questions.values()), pass_mark=50)
    for row in range(4):
        picks = {questions[name]: [0] if MARKS[name][row] else [1] for name in MARKS}
        sit(quiz, UserFactory(), picks)
    return quiz, questions


def test_the_quiz_figures_are_those_computed_by_hand(superuser_client, cohort):
    """Attempts, mean, median, SD, CIC, error ratio and standard error, each with
    its unit, as the module's docstring works them out."""
    quiz, _ = cohort
    totals = [3, 2, 1, 0]
    sd = statistics.stdev(totals)
    variances = [statistics.variance(marks) for marks in MARKS.values()]
    cic = 100 * 3 / 2 * (1 - sum(variances) / statistics.variance(totals))
    assert round(cic, 6) == 75
    response = superuser_client.get(stats_url(quiz))
    assert response.status_code == 200
    shown = {
        label: value.text + unit for label, value, unit in response.context["quiz_rows"]
    }
    html = response.content.decode()
    alpha = "Coefficient of internal consistency (Cronbach’s α)"
    expected = {
        "Attempts": "4",
        "Mean": "1.50 marks",
        "Median": "1.50 marks",
        "Standard deviation": f"{sd:.2f} marks",
        "Skewness": "0.00",
        alpha: f"{cic:.1f} %",
        "Error ratio": f"{100 * math.sqrt(1 - cic / 100):.1f} %",
        "Standard error": f"{sd * math.sqrt(1 - cic / 100):.2f} marks",
    }
    assert {label: shown[label] for label in expected} == expected
    assert expected[alpha] == "75.0 %" and expected["Error ratio"] == "50.0 %"
    for text in expected.values():
        assert f'<td class="num">{text}</td>' in html


def test_the_question_table_links_each_question_and_states_its_figures(
    superuser_client, cohort
):
    """Each question links to its change page; facility and discrimination index
    are the hand-computed ones; A's never-picked distractors are flagged."""
    quiz, questions = cohort
    report = quiz_item_report(quiz=quiz)
    by_name = {s.question: s for s in report.analysis.questions}
    assert [by_name[f"q-{n}"].facility for n in MARKS] == [0.75, 0.5, 0.25]
    expected = 0.75 / math.sqrt(0.75 * 2.75) * 100
    assert by_name["q-A"].discrimination_index == pytest.approx(expected)
    html = superuser_client.get(stats_url(quiz)).content.decode()
    for question in questions.values():
        change = reverse("admin:quizzes_question_change", args=[question.pk])
        assert f'<a href="{change}">{question.ref}</a>' in html
    assert f'<td class="num">{expected:.1f}</td>' in html
    assert "nobody picked “Nasal spray”" in html
    assert 'id="choices-' in html and "<details" in html


def test_a_missing_figure_shows_a_dash_with_its_reason(superuser_client):
    """One attempt: no spread, so "—" with the reason as a title and as text a
    screen reader reads."""
    question = QuestionFactory(ref="q-only")
    quiz = QuizFactory(with_questions=[question])
    sit(quiz, UserFactory(), {question: [0]})
    html = superuser_client.get(stats_url(quiz)).content.decode()
    reason = "a single attempt: a spread needs two or more"
    assert f'title="{reason}">—<span class="visually-hidden"> ({reason})' in html
    assert f'<td title="{reason}">— <span class="stats-reason">({reason})' in html


def test_the_histogram_is_an_accessible_svg_with_a_table_of_its_figures(
    superuser_client, cohort
):
    """Scores 100, 66.7, 33.3 and 0 % fall in four bins; the SVG has a title and a
    description, and a table gives the same counts."""
    quiz, _ = cohort
    assert quiz_item_report(quiz=quiz).bins == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    html = superuser_client.get(stats_url(quiz)).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert '<title id="scores-title">' in html and '<desc id="scores-desc">' in html
    assert '<td>90 to 100 %</td><td class="num">1</td>' in html


def test_all_attempts_count_a_trainees_second_attempt(superuser_client, cohort):
    """``?attempts=all`` adds the retake; the default counts first attempts."""
    quiz, questions = cohort
    trainee = quiz.attempts.order_by("pk").last().trainee
    sit(quiz, trainee, {q: [0] for q in questions.values()}, now=T0 + timedelta(1))
    first = superuser_client.get(stats_url(quiz)).context["report"]
    every = superuser_client.get(stats_url(quiz, attempts="all")).context["report"]
    assert (first.analysis.quiz.attempts, every.analysis.quiz.attempts) == (4, 5)


def test_an_attempt_whose_time_ran_out_counts_before_anything_closed_it(
    superuser_client, cohort
):
    """A fifth trainee's sitting, left open, ended by the clock long ago: the page
    closes it on read and its marks count."""
    quiz, questions = cohort
    sit(quiz, UserFactory(), {q: [0] for q in questions.values()}, finish=False)
    report = superuser_client.get(stats_url(quiz)).context["report"]
    assert report.analysis.quiz.attempts == 5
    assert quiz.attempts.filter(state="expired").count() == 1


@pytest.mark.parametrize("params", [{"attempts": "last"}, {"format": "xlsx"}])
def test_an_unknown_parameter_value_is_a_400_that_names_it(
    superuser_client, cohort, params
):
    """A bad ``attempts`` or ``format`` gets a 400 naming the parameter."""
    quiz, _ = cohort
    response = superuser_client.get(stats_url(quiz, **params))
    assert response.status_code == 400
    assert f"“{next(iter(params))}”" in response.content.decode()


def test_the_csv_holds_the_question_table_with_formulas_defused(
    superuser_client, cohort
):
    """One row per question with its figures; a ref read as a formula gets a
    leading apostrophe."""
    quiz, questions = cohort
    questions["A"].ref = "=HYPERLINK(1)"
    questions["A"].save()
    response = superuser_client.get(stats_url(quiz, format="csv"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["question id", "question", "stem", "attempts"]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert by_id[questions["A"].pk][1] == "'=HYPERLINK(1)"
    assert float(by_id[questions["B"].pk][4]) == 0.5
    assert "nobody picked" in by_id[questions["A"].pk][-1]


def test_recompute_now_is_a_post_that_refreshes_the_cache(superuser_client, cohort):
    """A renamed question keeps its cached name until "Recompute now" (a POST);
    then the page shows the new one."""
    quiz, questions = cohort
    superuser_client.get(stats_url(quiz))
    questions["B"].ref = "q-renamed"
    questions["B"].save()
    assert "q-renamed" not in superuser_client.get(stats_url(quiz)).content.decode()
    response = superuser_client.post(stats_url(quiz), {"attempts": "first"})
    assert response.status_code == 302
    assert response["Location"].endswith("?attempts=first")
    assert "q-renamed" in superuser_client.get(stats_url(quiz)).content.decode()


def test_the_page_needs_the_view_permission(client, cohort):
    """A trainee (not staff) is sent to the admin's login."""
    quiz, _ = cohort
    client.force_login(UserFactory())
    assert client.get(stats_url(quiz)).status_code == 302


def test_the_quiz_list_and_change_page_link_to_the_statistics(superuser_client, cohort):
    """A column on the list and a button on the change page."""
    quiz, _ = cohort
    link = f'href="{stats_url(quiz)}"'
    changelist = superuser_client.get(reverse("admin:quizzes_quiz_changelist"))
    assert link in changelist.content.decode()
    change = superuser_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert link in change.content.decode()


def _build(attempts: int, questions: int):
    section = SectionFactory()
    items = [QuestionFactory(section=section) for _ in range(questions)]
    quiz = QuizFactory(with_questions=items)
    for row in range(attempts):
        sit(quiz, UserFactory(), {q: [row % 2] for q in items})
    return quiz


@pytest.mark.parametrize("cached", [False, True])
def test_the_page_runs_the_same_queries_whatever_the_size(
    superuser_client, django_assert_max_num_queries, cached
):
    """Constant in attempts and questions.

    Cached: session, user, quiz, its attempts due to close (close on read: none),
    the attempts' fingerprint, the questions' stems (6). Computed: those, and the
    matrix's attempts, answers, questions, choices, fixed questions and draws (12).
    """
    for size in [(3, 2), (9, 5)]:
        quiz = _build(*size)
        if cached:
            quiz_item_report(quiz=quiz)
        with django_assert_max_num_queries(6 if cached else 12):
            response = superuser_client.get(stats_url(quiz))
        assert response.status_code == 200


# --- the question list --------------------------------------------------------------


def test_the_question_list_shows_the_cached_discrimination_and_flags(
    superuser_client, cohort
):
    """Before the quiz's statistics are cached: "—" and no flag. After: A's
    discrimination index, and its flags linked to the quiz's statistics page at
    A's row."""
    quiz, questions = cohort
    url = reverse("admin:quizzes_question_changelist")
    html = superuser_client.get(url).content.decode()
    assert "no cached statistics" in html and "nobody picked" not in html
    superuser_client.get(stats_url(quiz))
    html = superuser_client.get(url).content.decode()
    expected = 0.75 / math.sqrt(0.75 * 2.75) * 100
    assert f'<td class="field-discrimination">{expected:.1f}</td>' in html
    assert f'href="{stats_url(quiz)}#q-{questions["A"].pk}"' in html


def test_the_flagged_filter_lists_the_flagged_questions_only(superuser_client, cohort):
    """ "flagged" keeps the questions a cached report flags; "not flagged" the
    others (here: A and B have unused distractors, C's distractor 2 is picked by
    three and the others by none; so all three are flagged)."""
    quiz, questions = cohort
    unsat = QuestionFactory(stem="Never sat in any quiz?")
    quiz_item_report(quiz=quiz)
    url = reverse("admin:quizzes_question_changelist")
    flagged = superuser_client.get(url + "?flagged=yes").context["cl"].result_list
    assert {q.pk for q in flagged} == {q.pk for q in questions.values()}
    others = superuser_client.get(url + "?flagged=no").context["cl"].result_list
    assert [q.pk for q in others] == [unsat.pk]


def test_a_quiz_without_a_finished_attempt_has_a_page_that_says_so(
    superuser_client,
):
    """No attempt: every figure a dash with its reason, an empty histogram."""
    quiz = QuizFactory(with_questions=[QuestionFactory()])
    html = superuser_client.get(stats_url(quiz)).content.decode()
    assert "No finished attempt yet." in html
    assert '<td title="no attempts">— <span class="stats-reason">' in html


def test_recompute_without_a_csrf_token_is_refused(superuser, cohort):
    """ "Recompute now" is a CSRF-protected POST."""
    quiz, _ = cohort
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    assert client.post(stats_url(quiz), {"attempts": "first"}).status_code == 403


def test_screen_reader_text_stays_inside_the_tables_scrolling_boxes():
    """The figures' and flags' hidden reasons (``.visually-hidden``, absolutely
    positioned) belong to the box their table scrolls in: the box is positioned, so
    it is their containing block. Otherwise a reason in a column past 375 px widens
    the whole page on a phone (the browser journey measures it)."""
    css = Path(finders.find("quizzes/admin/admin.css")).read_text()
    assert ".stats-scroll, #changelist .results { position: relative; }" in css
