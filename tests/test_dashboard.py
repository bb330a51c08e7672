"""The dashboard's pure rules (``quizzes.dashboard``): hand-made inputs only."""

from datetime import date

import pytest

from quizzes.dashboard import (
    ACROSS_SECTIONS,
    OTHER_QUIZZES,
    Placed,
    SectionState,
    next_step,
    quiz_groups,
    study_streak,
    time_left_text,
)
from quizzes.progress import TopSection

TODAY = date(2026, 3, 10)


def days(*numbers: int) -> set[date]:
    """Days of March 2026."""
    return {date(2026, 3, n) for n in numbers}


class TestStudyStreak:
    def test_no_study_is_no_streak(self):
        assert study_streak(days=set(), today=TODAY) == 0

    def test_three_days_ending_today_are_a_streak_of_three(self):
        """10, 9 and 8 March studied; 6 March does not join across the gap."""
        assert study_streak(days=days(10, 9, 8, 6), today=TODAY) == 3

    def test_a_streak_ending_yesterday_still_counts_before_today_is_over(self):
        """Nothing yet today (10th): 9 and 8 March make 2."""
        assert study_streak(days=days(9, 8), today=TODAY) == 2

    def test_a_day_missed_before_yesterday_breaks_the_streak(self):
        """Last study on 8 March: the 9th was missed, the streak is 0."""
        assert study_streak(days=days(8, 7, 6), today=TODAY) == 0

    def test_today_alone_is_one(self):
        assert study_streak(days=days(10), today=TODAY) == 1

    def test_a_streak_runs_across_a_month_end(self):
        """1 and 2 March, 28 February (2026 is not a leap year)."""
        studied = {date(2026, 3, 2), date(2026, 3, 1), date(2026, 2, 28)}
        assert study_streak(days=studied, today=date(2026, 3, 2)) == 3

    def test_days_after_today_are_not_counted(self):
        """A day ahead (a clock skew) neither adds to nor breaks the streak."""
        assert study_streak(days=days(11, 10), today=TODAY) == 1


def state(pk, percent, unused, incorrect=0):
    return SectionState(
        section_id=pk,
        title=f"S{pk}",
        percent=percent,
        unused=unused,
        incorrect=incorrect,
    )


class TestNextStep:
    def test_the_weakest_unmastered_section_with_enough_unused_questions(self):
        """S2 (40 %) is weaker than S1 (60 %); S3 (20 %) has only 4 unused left."""
        step = next_step([state(1, 60.0, 9), state(2, 40.0, 5), state(3, 20.0, 4)])
        assert (step.section_id, step.pool, step.available) == (2, "unused", 5)
        assert step.reason == "your weakest section (40 %)"

    def test_an_untried_section_comes_before_a_mastered_one(self):
        """S1 is mastered (90 % ≥ 85 %): the first untried section, S2, is next."""
        step = next_step([state(1, 90.0, 20), state(2, None, 8), state(3, None, 9)])
        assert (step.section_id, step.pool) == (2, "unused")
        assert step.reason == "a section you have not tried yet"

    def test_when_all_are_mastered_the_weakest_with_questions_left(self):
        step = next_step([state(1, 95.0, 6), state(2, 88.5, 6), state(3, 70.0, 0)])
        assert (step.section_id, step.reason) == (2, "your weakest section (88.5 %)")

    def test_with_no_unused_question_left_the_most_incorrect_ones(self):
        """No section holds 5 unused: S2 has the most questions last got wrong."""
        step = next_step(
            [state(1, 50.0, 4, incorrect=2), state(2, 30.0, 0, incorrect=7)]
        )
        assert (step.section_id, step.pool, step.available) == (2, "incorrect", 7)

    def test_nothing_to_suggest(self):
        assert next_step([state(1, 100.0, 0)]) is None
        assert next_step([]) is None

    def test_ties_go_to_the_section_listed_first(self):
        step = next_step([state(1, 50.0, 5), state(2, 50.0, 5)])
        assert step.section_id == 1

    def test_the_threshold_of_unused_questions_can_be_lowered(self):
        step = next_step([state(1, 60.0, 9), state(2, 40.0, 2)], min_questions=2)
        assert step.section_id == 2


def top(pk, title, document, *members):
    return TopSection(
        id=pk, title=title, document_title=document, member_ids=(pk, *members)
    )


SECTIONS = [
    top(1, "Pharmacology", "Ketamine", 11, 12),
    top(2, "Dosing", "Ketamine", 21),
    top(3, "Airway", "Sedation"),
]


def titles(groups):
    return [(d.title, [(s.title, s.items) for s in d.sections]) for d in groups]


class TestQuizGroups:
    def test_exams_apart_from_practice_by_document_then_section(self):
        """Quizzes keep their given order within a section; documents and
        sections follow the document order of the sections, not the quizzes'."""
        placed = [
            Placed("exam airway", 1, True),
            Placed("practice dosing", 2, False),
            Placed("exam pharmacology", 3, True),
            Placed("practice pharmacology, subsection", 4, False),
            Placed("practice pharmacology", 5, False),
        ]
        quiz_sections = {1: {3}, 2: {21}, 3: {1}, 4: {12}, 5: {1, 11}}
        groups = quiz_groups(placed, sections=SECTIONS, quiz_sections=quiz_sections)
        assert titles(groups.exams) == [
            ("Ketamine", [("Pharmacology", ["exam pharmacology"])]),
            ("Sedation", [("Airway", ["exam airway"])]),
        ]
        assert titles(groups.practice) == [
            (
                "Ketamine",
                [
                    (
                        "Pharmacology",
                        ["practice pharmacology, subsection", "practice pharmacology"],
                    ),
                    ("Dosing", ["practice dosing"]),
                ],
            )
        ]
        assert groups.practice[0].count == 3

    def test_a_quiz_over_several_sections_goes_last_in_its_document(self):
        placed = [Placed("comprehensive", 1, True), Placed("dosing", 2, True)]
        quiz_sections = {1: {1, 21}, 2: {2}}
        groups = quiz_groups(placed, sections=SECTIONS, quiz_sections=quiz_sections)
        assert titles(groups.exams) == [
            ("Ketamine", [("Dosing", ["dosing"]), (ACROSS_SECTIONS, ["comprehensive"])])
        ]

    def test_a_quiz_over_documents_or_without_questions_goes_under_other(self):
        placed = [
            Placed("mixed", 1, False),
            Placed("empty", 2, False),
            Placed("airway", 3, False),
        ]
        quiz_sections = {1: {1, 3}, 3: {3}}
        groups = quiz_groups(placed, sections=SECTIONS, quiz_sections=quiz_sections)
        assert titles(groups.practice) == [
            ("Sedation", [("Airway", ["airway"])]),
            (OTHER_QUIZZES, [("", ["mixed", "empty"])]),
        ]
        assert groups.exams == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "No time limit"),
        (0, "Time is up"),
        (59, "Under a minute left"),
        (60, "1 min left"),
        (12 * 60 + 59, "12 min left"),
        (3600 + 5 * 60, "1 h 05 min left"),
    ],
)
def test_time_left_in_words(seconds, text):
    assert time_left_text(seconds) == text
