"""The progress pages in the admin, on the hand-computed cohort of
``tests/progress/cohort.py``."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.progress.cohort import DAY1, t3_time_ran_out

pytestmark = pytest.mark.django_db
COHORT = reverse("admin:quizzes_trainee_cohort")


def progress_url(trainee):
    return reverse("admin:quizzes_trainee_progress", args=[trainee.pk])


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_trainees_page_shows_grade_pass_attempts_time_and_last_activity(
    instructor_client, cohort
):
    page = text_of(instructor_client.get(progress_url(cohort.t1)).content.decode())
    # quiz, grading, grade, pass mark, result, attempts used (of allowed), time
    assert "Quiz X Highest attempt 100.0 % 50 % pass 2 13 min 00 s" in page
    assert "Quiz Y Average of attempts 50.0 % 60 % fail 1 3 min 00 s" in page
    assert "Attempts used 3 Finished 3 Time spent 16 min 00 s" in page
    assert "Last activity 4 Mar 2026 09:03" in page


def test_a_trainees_page_shows_mastery_per_section_with_its_answer_count(
    instructor_client, cohort
):
    page = text_of(instructor_client.get(progress_url(cohort.t1)).content.decode())
    assert "Section A 80.0 % 5" in page
    assert "Section B 70.0 % 5" in page


def test_a_trainees_page_charts_scores_over_time_with_a_text_alternative(
    instructor_client, cohort
):
    html = instructor_client.get(progress_url(cohort.t1)).content.decode()
    start = html.index("<svg xmlns")
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg
    assert 'aria-labelledby="scores-title scores-desc"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert "Score (%)" in svg
    assert "Date the attempt finished (UTC)" in svg
    assert svg.count("<circle") == 3
    table = text_of(html[html.index("figures as a table") :])
    assert "2 Mar 2026 09:05 Quiz X 1 62.5 %" in table


def test_a_trainee_with_nothing_finished_has_an_empty_but_working_page(
    instructor_client, cohort
):
    page = text_of(instructor_client.get(progress_url(cohort.t3)).content.decode())
    assert "Quiz X Highest attempt — 50 % not graded 1" in page
    assert "No finished attempt yet." in page


def test_the_page_filters_by_quiz_and_dates(instructor_client, cohort):
    url = f"{progress_url(cohort.t1)}?quiz={cohort.y.pk}"
    page = text_of(instructor_client.get(url).content.decode())
    assert "Quiz Y Average" in page
    assert "Quiz X Highest" not in page
    url = f"{progress_url(cohort.t1)}?started_from=2026-03-03&started_to=2026-03-03"
    page = text_of(instructor_client.get(url).content.decode())
    assert "Quiz X Highest attempt 100.0 %" in page
    assert "Quiz Y" not in page.split("Mastery per section")[0].split("Quizzes")[1]


def test_the_cohort_page_lists_a_groups_members_before_they_sit_anything(
    instructor_client, cohort
):
    group = Group.objects.create(name="Course A")
    group.user_set.add(cohort.t2, cohort.t3)
    html = instructor_client.get(f"{COHORT}?group={group.pk}").content.decode()
    table = text_of(html.split('<table class="heatmap"')[1].split("</table>")[0])
    # t3 (no full name: listed by username) has finished nothing but is a
    # member; t1 is not in the group.
    rows = table.split("Whole cohort")[1]
    assert "Tom Two (t2)" in rows and " t3 " in rows
    assert "(t1)" not in rows
    cells = heatmap_cells(html)
    assert ("Whole cohort", "Section A: 50.0 % over 4 answers") in cells


def test_the_trainee_list_links_to_each_progress_page(instructor_client, cohort):
    page = instructor_client.get(
        reverse("admin:quizzes_trainee_changelist")
    ).content.decode()
    assert progress_url(cohort.t1) in page
    assert "70.8 %" in page  # t1's mean over 62.5, 100 and 50


def test_the_user_admin_links_a_trainee_to_their_progress(superuser_client, cohort):
    change = reverse("admin:auth_user_change", args=[cohort.t1.pk])
    assert progress_url(cohort.t1) in superuser_client.get(change).content.decode()
    listing = reverse("admin:auth_user_changelist")
    assert progress_url(cohort.t2) in superuser_client.get(listing).content.decode()


def heatmap_cells(html):
    """{(row header, aria label): href} of the heatmap's linked cells."""
    start = html.index('<table class="heatmap"')
    table = html[start : html.index("</table>", start)]
    cells = {}
    for row in table.split("<tr")[1:]:
        header = text_of(row[row.index("<th") : row.index("</th>")])
        for href, label in re.findall(
            r'<a href="([^"]+)" style="[^"]*" aria-label="([^"]+)"', row
        ):
            cells[(header, label)] = href.replace("&amp;", "&")
    return cells


def test_the_heatmap_shows_each_trainees_mastery_and_the_cohorts(
    instructor_client, cohort
):
    html = instructor_client.get(COHORT).content.decode()
    cells = heatmap_cells(html)
    assert set(cells) == {
        ("Whole cohort", "Section A: 66.7 % over 9 answers"),
        ("Whole cohort", "Section B: 61.1 % over 9 answers"),
        ("Tess One (t1)", "Section A: 80.0 % over 5 answers"),
        ("Tess One (t1)", "Section B: 70.0 % over 5 answers"),
        ("Tom Two (t2)", "Section A: 50.0 % over 4 answers"),
        ("Tom Two (t2)", "Section B: 50.0 % over 4 answers"),
    }
    assert "t3" not in text_of(html.split("Grades per quiz")[0].split("heatmap")[-1])


def test_the_heatmap_explains_its_colour_scale(instructor_client, cohort):
    page = text_of(instructor_client.get(COHORT).content.decode())
    assert "Colour scale: mastery" in page
    for label in ["under 50 %", "70 to 84.9 %", "85 % and over", "no answer"]:
        assert label in page


def test_a_heatmap_cell_links_to_the_answers_it_rests_on(instructor_client, cohort):
    cells = heatmap_cells(instructor_client.get(COHORT).content.decode())
    href = cells[("Tess One (t1)", "Section A: 80.0 % over 5 answers")]
    assert parse_qs(urlsplit(href).query) == {
        "scored": ["yes"],
        "section": [str(cohort.a.pk)],
        "trainee": ["t1"],
    }
    answers = instructor_client.get(href).context["cl"].result_list
    assert len(answers) == 5
    assert sum(a.score for a in answers) == 4
    cohort_href = cells[("Whole cohort", "Section B: 61.1 % over 9 answers")]
    assert len(instructor_client.get(cohort_href).context["cl"].result_list) == 9


def test_the_cohort_page_has_a_histogram_and_pass_rate_per_quiz(
    instructor_client, cohort
):
    html = instructor_client.get(COHORT).content.decode()
    page = text_of(html)
    x = "Quiz X pass rate 100.0 % (2 of 2 pass; highest attempt, pass mark 50 %)"
    assert x in page
    assert "Quiz Y pass rate 0.0 % (0 of 2 pass; average of attempts" in page
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "Grade (%)" in html and "Trainees" in html


def test_the_cohort_page_filters_by_quiz_and_date_range(instructor_client, cohort):
    html = instructor_client.get(f"{COHORT}?quiz={cohort.y.pk}").content.decode()
    assert "Quiz X pass rate" not in text_of(html)
    cells = heatmap_cells(html)
    href = cells[("Tess One (t1)", "Section A: 0.0 % over 1 answers")]
    assert f"attempt__quiz__id__exact={cohort.y.pk}" in href
    day = (DAY1.date()).isoformat()
    html = instructor_client.get(
        f"{COHORT}?started_from={day}&started_to={day}"
    ).content.decode()
    cells = heatmap_cells(html)
    assert ("Tom Two (t2)", "Section B: 50.0 % over 2 answers") in cells
    href = cells[("Tom Two (t2)", "Section B: 50.0 % over 2 answers")]
    assert len(instructor_client.get(href).context["cl"].result_list) == 2


def test_a_range_that_ends_before_it_starts_is_reported(instructor_client, cohort):
    page = instructor_client.get(
        f"{COHORT}?started_from=2026-03-05&started_to=2026-03-01"
    ).content.decode()
    assert "The range ends before it starts." in page


def test_weakest_first_orders_the_trainees_by_overall_mastery(
    instructor_client, cohort
):
    html = instructor_client.get(f"{COHORT}?order=weakest").content.decode()
    rows = [h for h, _ in heatmap_cells(html) if h != "Whole cohort"]
    assert rows.index("Tom Two (t2)") < rows.index("Tess One (t1)")


# t3's time ran out and nothing has closed the attempt: the pages close it on read,
# so it counts as expired, with its score, in every figure.


def test_a_trainees_page_grades_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    attempt = t3_time_ran_out(cohort)
    page = text_of(instructor_client.get(progress_url(cohort.t3)).content.decode())
    assert "Quiz X Highest attempt 25.0 % 50 % fail 1" in page
    assert "Attempts used 1 Finished 1" in page
    attempt.refresh_from_db()
    assert attempt.state == "expired"


def test_the_trainee_list_counts_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    t3_time_ran_out(cohort)
    response = instructor_client.get(reverse("admin:quizzes_trainee_changelist"))
    t3 = next(t for t in response.context["cl"].result_list if t.username == "t3")
    assert (t3.finished, t3.mean_percent) == (1, 25.0)


def test_the_cohort_page_maps_and_grades_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    t3_time_ran_out(cohort)
    html = instructor_client.get(COHORT).content.decode()
    cells = heatmap_cells(html)
    assert ("t3", "Section A: 50.0 % over 2 answers") in cells
    assert ("t3", "Section B: 0.0 % over 2 answers") in cells
    x = "Quiz X pass rate 66.7 % (2 of 3 pass; highest attempt, pass mark 50 %)"
    assert x in text_of(html)
