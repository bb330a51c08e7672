"""Progress figures on the small cohort of ``conftest.py``, checked by hand."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group

from quizzes.progress import (
    ProgressFilter,
    cohort_mastery,
    cohort_trainees,
    mastery_grid,
    quiz_progress,
    quiz_results,
    top_sections,
    trainee_mastery,
    trainee_score_points,
    trainee_summary,
    trainees_with_progress,
)
from quizzes.statistics import questions_with_stats, quizzes_with_stats
from tests.progress.cohort import DAY1

pytestmark = pytest.mark.django_db
ALL = ProgressFilter()


def by_title(sections):
    return {s.title: s for s in sections}


def test_top_sections_fold_subsections_into_their_top_level_section(cohort):
    sections = by_title(top_sections())
    assert list(sections) == ["Section A", "Section B"]
    assert set(sections["Section A"].member_ids) == {cohort.a.pk, cohort.a_sub.pk}


def test_mastery_is_the_mean_mark_over_the_trainees_answers_per_section(cohort):
    sections = top_sections()
    t1 = {
        s.title: (m.answers, m.percent)
        for s, m in trainee_mastery(trainee=cohort.t1, sections=sections, filters=ALL)
    }
    assert t1 == {"Section A": (5, 80.0), "Section B": (5, 70.0)}
    t2 = {
        s.title: (m.answers, m.percent)
        for s, m in trainee_mastery(trainee=cohort.t2, sections=sections, filters=ALL)
    }
    assert t2 == {"Section A": (4, 50.0), "Section B": (4, 50.0)}


def test_an_attempt_in_progress_gives_no_mastery(cohort):
    cells = trainee_mastery(trainee=cohort.t3, sections=top_sections(), filters=ALL)
    assert [(m.answers, m.percent) for _, m in cells] == [(0, None), (0, None)]


def test_cohort_mastery_pools_every_trainees_answers(cohort):
    sections = top_sections()
    cohort_cells = cohort_mastery(sections=sections, filters=ALL)
    a, b = sections
    assert (cohort_cells[a.id].answers, cohort_cells[a.id].percent) == (9, 66.7)
    assert (cohort_cells[b.id].answers, cohort_cells[b.id].percent) == (9, 61.1)


def test_the_grid_holds_one_cell_per_trainee_and_section_with_answers(cohort):
    sections = top_sections()
    grid = mastery_grid(trainee_ids=None, sections=sections, filters=ALL)
    assert {(t, s) for t, s in grid} == {
        (cohort.t1.pk, sections[0].id),
        (cohort.t1.pk, sections[1].id),
        (cohort.t2.pk, sections[0].id),
        (cohort.t2.pk, sections[1].id),
    }


def test_each_quiz_grade_follows_its_grading_method(cohort):
    rows = {(r.username, r.quiz_title): r for r in quiz_progress(filters=ALL)}
    figures = {
        key: (r.grade, r.passed, r.attempts_used, r.attempts_finished)
        for key, r in rows.items()
    }
    assert figures == {
        ("t1", "Quiz X"): (100.0, True, 2, 2),  # highest of 62.5 and 100
        ("t1", "Quiz Y"): (50.0, False, 1, 1),  # average of 50; pass mark 60
        ("t2", "Quiz X"): (50.0, True, 1, 1),  # 50 reaches the pass mark of 50
        ("t2", "Quiz Y"): (50.0, False, 2, 2),  # average of 100 and 0
        ("t3", "Quiz X"): (None, None, 1, 0),  # in progress: no grade yet
    }


def test_time_spent_adds_up_finished_attempts_and_last_activity_is_the_latest(
    cohort,
):
    rows = {(r.username, r.quiz_title): r for r in quiz_progress(filters=ALL)}
    assert rows["t1", "Quiz X"].time_spent == timedelta(minutes=13)
    assert rows["t2", "Quiz Y"].time_spent == timedelta(minutes=3)
    assert rows["t3", "Quiz X"].time_spent == timedelta(0)
    assert rows["t1", "Quiz X"].last_activity == DAY1 + timedelta(days=1, minutes=8)
    assert rows["t3", "Quiz X"].last_activity == DAY1 + timedelta(days=5)


def test_a_trainees_summary_counts_attempts_time_and_the_latest_saved_answer(cohort):
    rows = quiz_progress(filters=ALL, trainee=cohort.t3)
    summary = trainee_summary(trainee=cohort.t3, rows=rows, filters=ALL)
    assert (summary.attempts_used, summary.attempts_finished) == (1, 0)
    assert summary.last_activity == DAY1 + timedelta(days=5, minutes=1)
    t1 = trainee_summary(
        trainee=cohort.t1,
        rows=quiz_progress(filters=ALL, trainee=cohort.t1),
        filters=ALL,
    )
    assert (t1.attempts_used, t1.time_spent) == (3, timedelta(minutes=16))


def test_score_points_are_the_finished_attempts_in_time_order(cohort):
    points = trainee_score_points(trainee=cohort.t1, filters=ALL)
    assert [(p.quiz_title, p.number, p.percent) for p in points] == [
        ("Quiz X", 1, 62.5),
        ("Quiz X", 2, 100.0),
        ("Quiz Y", 1, 50.0),
    ]


def test_quiz_results_bin_the_grades_and_count_the_passes(cohort):
    results = {r.title: r for r in quiz_results(filters=ALL)}
    x, y = results["Quiz X"], results["Quiz Y"]
    assert (x.graded, x.passed, x.pass_rate) == (2, 2, 100.0)
    assert x.bins == (0, 0, 0, 0, 0, 1, 0, 0, 0, 1)  # 50 and 100 (the last bin)
    assert (y.graded, y.passed, y.pass_rate) == (2, 0, 0.0)
    assert y.bins == (0, 0, 0, 0, 0, 2, 0, 0, 0, 0)


def test_a_quiz_filter_keeps_only_that_quizs_attempts(cohort):
    only_y = ProgressFilter(quiz_id=cohort.y.pk)
    sections = top_sections()
    cells = dict(trainee_mastery(trainee=cohort.t1, sections=sections, filters=only_y))
    assert [(m.answers, m.percent) for m in cells.values()] == [(1, 0.0), (1, 100.0)]
    assert {r.quiz_title for r in quiz_progress(filters=only_y)} == {"Quiz Y"}


def test_a_date_range_keeps_the_attempts_started_within_it_inclusive(cohort):
    day2 = (DAY1 + timedelta(days=1)).date()
    one_day = ProgressFilter(started_from=day2, started_to=day2)
    rows = quiz_progress(filters=one_day)
    assert [(r.username, r.quiz_title, r.grade) for r in rows] == [
        ("t1", "Quiz X", 100.0)
    ]
    nothing = ProgressFilter(started_from=date(2027, 1, 1))
    assert quiz_progress(filters=nothing) == []


def test_the_heatmap_lists_trainees_with_a_finished_attempt_weakest_first(cohort):
    by_name = [t.username for t in cohort_trainees(filters=ALL)]
    assert by_name == ["t1", "t2"]  # t3 has finished nothing
    weakest = [t.username for t in cohort_trainees(filters=ALL, order="weakest")]
    assert weakest == ["t2", "t1"]  # 4 of 8 marks against 7.5 of 10


def test_a_group_lists_every_member_even_before_they_sit_anything(cohort):
    group = Group.objects.create(name="Course A")
    group.user_set.add(cohort.t2, cohort.t3)
    in_group = ProgressFilter(group_id=group.pk)
    assert [t.username for t in cohort_trainees(filters=in_group)] == ["t2", "t3"]
    # Only the members' attempts count in the figures: t1's are left out.
    assert {r.username for r in quiz_progress(filters=in_group)} == {"t2", "t3"}
    results = {r.title: r for r in quiz_results(filters=in_group)}
    assert results["Quiz X"].graded == 1


def test_the_trainee_list_shows_finished_attempts_and_mean_score(cohort):
    rows = {t.username: t for t in trainees_with_progress()}
    assert (rows["t1"].finished, round(rows["t1"].mean_percent, 1)) == (3, 70.8)
    assert (rows["t2"].finished, rows["t2"].mean_percent) == (3, 50.0)
    assert (rows["t3"].finished, rows["t3"].mean_percent) == (0, None)


def test_question_facility_is_the_mean_mark_over_finished_attempts(cohort):
    stats = {q.pk: q for q in questions_with_stats(type(cohort.a1).objects.all())}
    # a1: t1 1, 1, 0 and t2 1, 1, 0; t3's answer is in an attempt in progress.
    assert stats[cohort.a1.pk].responses == 6
    assert round(stats[cohort.a1.pk].facility, 1) == 66.7
    # b2: partial credit counts: 0.5, 1 and 0.
    assert stats[cohort.b2.pk].responses == 3
    assert round(stats[cohort.b2.pk].facility, 1) == 50.0


def test_quiz_statistics_count_started_and_finished_attempts_and_the_mean(cohort):
    stats = {q.title: q for q in quizzes_with_stats(type(cohort.x).objects.all())}
    x, y = stats["Quiz X"], stats["Quiz Y"]
    assert (x.started, x.finished, round(x.mean_percent, 1)) == (4, 3, 70.8)
    assert (y.started, y.finished, y.mean_percent) == (3, 3, 50.0)
