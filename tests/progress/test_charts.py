"""The server-side SVG charts: described, labelled, escaped."""

import itertools
import re
from datetime import UTC, datetime, timedelta

from quizzes.charts import (
    MASTERY_BANDS,
    TimePoint,
    histogram_svg,
    mastery_band,
    score_timeline_svg,
    score_trend_svg,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_timeline_is_an_image_with_a_title_a_description_and_axis_labels():
    svg = score_timeline_svg(
        [
            TimePoint(T0, 40.0, "Quiz A, attempt 1"),
            TimePoint(T0 + timedelta(days=3), 90.0, "Quiz A, attempt 2"),
        ],
        chart_id="c1",
        title="Scores of Ada",
        desc="Two attempts.",
        pass_mark=70,
    )
    assert svg.startswith("<svg")
    assert 'role="img" ' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Scores of Ada</title>' in svg
    assert '<desc id="c1-desc">Two attempts.</desc>' in svg
    assert "Score (%)" in svg
    assert "Date the attempt finished (UTC)" in svg
    assert "pass mark 70 %" in svg
    assert "<title>Quiz A, attempt 2: 90 % on 05 Mar 2026 09:00</title>" in svg


def test_text_in_a_chart_is_escaped():
    svg = score_timeline_svg(
        [TimePoint(T0, 50.0, "<script>alert(1)</script>")],
        chart_id="c2",
        title="A & B",
        desc="<b>",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B" in svg


def test_an_empty_timeline_says_so():
    svg = score_timeline_svg([], chart_id="c3", title="t", desc="d")
    assert "No finished attempt yet." in svg


def test_the_histogram_labels_its_axes_counts_and_pass_mark():
    svg = histogram_svg(
        [0, 0, 0, 0, 0, 2, 0, 0, 0, 1],
        chart_id="h1",
        title="Grades on Quiz X",
        desc="d",
        pass_mark=60,
    )
    assert "Grade (%)" in svg
    assert "Trainees" in svg
    assert "pass 60 %" in svg
    assert "<title>50 to 60 %: 2</title>" in svg
    assert "<title>90 to 100 %: 1</title>" in svg
    assert svg.count("<rect") == 10


def test_mastery_bands_cover_zero_to_a_hundred_without_gaps():
    assert mastery_band(None) is None
    assert mastery_band(0).low == 0
    assert mastery_band(100) is MASTERY_BANDS[-1]
    assert mastery_band(69.9).high == 70
    assert mastery_band(70).low == 70
    for lower, upper in itertools.pairwise(MASTERY_BANDS):
        assert lower.high == upper.low


class TestScoreTrend:
    """The trainee's own chart on their dashboard: themable, scalable, labelled."""

    def points(self):
        day = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        return [
            TimePoint(when=day, percent=40.0, label="Exam <1>, attempt 1"),
            TimePoint(when=day + timedelta(days=2), percent=80.0, label="Exam 2"),
        ]

    def test_it_is_named_by_its_title_and_desc_and_escapes_text(self):
        svg = score_trend_svg(
            self.points(), chart_id="scores", title="Your scores", desc="2 attempts"
        )
        assert 'role="img" ' in svg
        assert 'aria-labelledby="scores-title scores-desc"' in svg
        assert '<title id="scores-title">Your scores</title>' in svg
        assert '<desc id="scores-desc">2 attempts</desc>' in svg
        assert (
            "<title>Exam &lt;1&gt;, attempt 1: 40 % on 1 Mar 2026 09:00</title>" in svg
        )

    def test_it_draws_in_current_colour_and_classes_only(self):
        """No fixed colour: the stylesheet's variables colour it, dark mode too;
        no fixed width, so it scales to a phone."""
        svg = score_trend_svg(self.points(), chart_id="s", title="t", desc="d")
        assert "#" not in svg.replace('id="', "")
        assert 'class="trend-line"' in svg and svg.count('class="trend-dot"') == 2
        assert "width=" not in svg.split(">", 1)[0]

    def test_the_points_run_left_to_right_and_up_with_the_score(self):
        svg = score_trend_svg(self.points(), chart_id="s", title="t", desc="d")
        (first, second) = [
            (float(x), float(y))
            for x, y in re.findall(
                r'<circle class="trend-dot" cx="([\d.]+)" cy="([\d.]+)"', svg
            )
        ]
        assert first[0] < second[0] and first[1] > second[1]

    def test_with_no_point_it_says_so(self):
        svg = score_trend_svg([], chart_id="s", title="t", desc="d")
        assert "No finished attempt yet." in svg and "<circle" not in svg
