"""Server-side SVG charts for the instructors' admin: no JavaScript, no CDN.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), labelled axes and a ``<title>`` on every mark; the pages also
show the same figures as a table, the text alternative. All text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Band:
    """A colour band of the mastery scale: ``low`` ≤ percent < ``high``."""

    low: float
    high: float
    colour: str
    ink: str  # text colour with enough contrast on ``colour``
    label: str


# A diverging red–blue scale (ColorBrewer RdBu), readable with the common forms of
# colour blindness; the bands meet at 70 %, the default pass mark.
MASTERY_BANDS = (
    Band(0, 50, "#b2182b", "#ffffff", "under 50 %"),
    Band(50, 60, "#ef8a62", "#000000", "50 to 59.9 %"),
    Band(60, 70, "#fddbc7", "#000000", "60 to 69.9 %"),
    Band(70, 85, "#92c5de", "#000000", "70 to 84.9 %"),
    Band(85, 100.01, "#2166ac", "#ffffff", "85 % and over"),
)
NO_DATA_COLOUR = "#eeeeee"
INK = "#1b1f24"
MUTED = "#57606a"
GRID = "#d0d7de"
ACCENT = "#0b5cad"
PASS_LINE = "#b35806"


def mastery_band(percent: float | None) -> Band | None:
    """The colour band of a mastery percent; None when there is no answer."""
    if percent is None:
        return None
    return next(b for b in MASTERY_BANDS if percent < b.high)


def heatmap_cell(
    *, label: str, percent: float | None, answers: int, url: str, thin: bool
) -> SafeString:
    """One ``<td>`` of the mastery heatmap: its colour band, the percent and the
    number of answers, linked to those answers; ``label`` names the section for a
    screen reader. Rendered here rather than by an included template: a heatmap
    page has hundreds of cells."""
    band = mastery_band(percent)
    if band is None:
        return format_html(
            '<td class="cell empty" style="background: {}" aria-label="{}: no '
            'answer">–</td>',
            NO_DATA_COLOUR,
            label,
        )
    return format_html(
        '<td class="cell{}" style="background: {}; color: {}"><a href="{}" '
        'style="color: {}" aria-label="{}: {} % over {} answers"><span class="pct">'
        '{}</span><span class="n">{}</span></a></td>',
        " thin" if thin else "",
        band.colour,
        band.ink,
        url,
        band.ink,
        label,
        f"{percent:.1f}",
        answers,
        f"{percent:.0f}",
        answers,
    )


@dataclass(frozen=True)
class TimePoint:
    when: datetime
    percent: float
    label: str  # what the point is, e.g. "Quiz A, attempt 2"


@dataclass(frozen=True)
class _Frame:
    width: int = 720
    height: int = 300
    left: int = 64
    right: int = 24
    top: int = 20
    bottom: int = 56

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    def y(self, value: float, maximum: float) -> float:
        return self.top + self.plot_height * (1 - value / maximum)


def score_timeline_svg(
    points: Sequence[TimePoint],
    *,
    chart_id: str,
    title: str,
    desc: str,
    pass_mark: int | None = None,
) -> SafeString:
    """Scores (0–100 %) over time, one dot per attempt, joined in time order."""
    frame = _Frame()
    parts = _open(frame, chart_id, title, desc)
    parts += _y_axis(frame, ticks=range(0, 101, 20), maximum=100, label="Score (%)")
    if points:
        start, end = points[0].when, points[-1].when
        span = (end - start).total_seconds()

        def x(moment: datetime) -> float:
            if span <= 0:
                return frame.left + frame.plot_width / 2
            offset = (moment - start).total_seconds() / span
            return frame.left + 8 + (frame.plot_width - 16) * offset

        ticks = _time_ticks(start, end)
        for index, moment in enumerate(ticks):
            tx = x(moment)
            # The end labels lean inwards, so that the plot's edges do not cut them.
            anchor = (
                "middle"
                if len(ticks) == 1 or 0 < index < len(ticks) - 1
                else ("start" if index == 0 else "end")
            )
            parts.append(
                f'<line x1="{tx:.1f}" y1="{frame.top + frame.plot_height}" '
                f'x2="{tx:.1f}" y2="{frame.top + frame.plot_height + 5}" '
                f'stroke="{MUTED}"/>'
                f'<text x="{tx:.1f}" y="{frame.top + frame.plot_height + 20}" '
                f'text-anchor="{anchor}" font-size="12" fill="{MUTED}">'
                f"{escape(f'{moment:%d %b %Y}')}</text>"
            )
        if pass_mark is not None:
            parts += _pass_line_horizontal(frame, pass_mark)
        coords = [(x(p.when), frame.y(p.percent, 100)) for p in points]
        parts.append(
            '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                ACCENT, " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            )
        )
        for point, (cx, cy) in zip(points, coords, strict=True):
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{ACCENT}" '
                f'stroke="#ffffff" stroke-width="1.5"><title>'
                f"{escape(point.label)}: {point.percent:g} % on "
                f"{escape(f'{point.when:%d %b %Y %H:%M}')}</title></circle>"
            )
    else:
        parts.append(_empty_note(frame, "No finished attempt yet."))
    parts.append(
        _x_label(frame, "Date the attempt finished (UTC)") + _frame_axes(frame)
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def histogram_svg(
    bins: Sequence[int],
    *,
    chart_id: str,
    title: str,
    desc: str,
    pass_mark: int | None = None,
    x_label: str = "Grade (%)",
    y_label: str = "Trainees",
) -> SafeString:
    """Counts in equal-width percent bins (0–10, …, 90–100), with the pass mark."""
    frame = _Frame(width=360, height=240, left=56, right=16, bottom=52)
    top_count = max(bins, default=0)
    step = max(1, -(-top_count // 4))  # at most five ticks, whole trainees
    maximum = max(step * 4, 1)
    parts = _open(frame, chart_id, title, desc)
    parts += _y_axis(
        frame, ticks=range(0, maximum + 1, step), maximum=maximum, label=y_label
    )
    width = frame.plot_width / len(bins)
    bin_size = 100 / len(bins)
    for index, count in enumerate(bins):
        bx = frame.left + index * width
        by = frame.y(count, maximum)
        low, high = index * bin_size, (index + 1) * bin_size
        label = f"{low:g} to {high:g} %: {count}"
        parts.append(
            f'<rect x="{bx + 2:.1f}" y="{by:.1f}" width="{width - 4:.1f}" '
            f'height="{frame.top + frame.plot_height - by:.1f}" fill="{ACCENT}">'
            f"<title>{escape(label)}</title></rect>"
        )
        if count:
            parts.append(
                f'<text x="{bx + width / 2:.1f}" y="{by - 4:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{count}</text>'
            )
    for index in range(0, len(bins) + 1, 2):
        tx = frame.left + index * width
        parts.append(
            f'<text x="{tx:.1f}" y="{frame.top + frame.plot_height + 16}" '
            f'text-anchor="middle" font-size="11" fill="{MUTED}">'
            f"{index * bin_size:g}</text>"
        )
    if pass_mark is not None:
        px = frame.left + frame.plot_width * pass_mark / 100
        parts.append(
            f'<line x1="{px:.1f}" y1="{frame.top}" x2="{px:.1f}" '
            f'y2="{frame.top + frame.plot_height}" stroke="{PASS_LINE}" '
            'stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{px - 4:.1f}" y="{frame.top + 10}" text-anchor="end" '
            f'font-size="11" fill="{PASS_LINE}">pass {pass_mark} %</text>'
        )
    if not any(bins):
        parts.append(_empty_note(frame, "No grade yet."))
    parts.append(_x_label(frame, x_label) + _frame_axes(frame))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _open(frame: _Frame, chart_id: str, title: str, desc: str) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    ]


def _y_axis(frame: _Frame, *, ticks, maximum: float, label: str) -> list[str]:
    parts = []
    for tick in ticks:
        ty = frame.y(tick, maximum)
        parts.append(
            f'<line x1="{frame.left}" y1="{ty:.1f}" '
            f'x2="{frame.left + frame.plot_width}" y2="{ty:.1f}" stroke="{GRID}"/>'
            f'<text x="{frame.left - 8}" y="{ty + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="{MUTED}">{tick:g}</text>'
        )
    cy = frame.top + frame.plot_height / 2
    parts.append(
        f'<text x="16" y="{cy:.1f}" transform="rotate(-90 16 {cy:.1f})" '
        f'text-anchor="middle" font-size="13" fill="{INK}">{escape(label)}</text>'
    )
    return parts


def _x_label(frame: _Frame, label: str) -> str:
    return (
        f'<text x="{frame.left + frame.plot_width / 2:.1f}" y="{frame.height - 10}" '
        f'text-anchor="middle" font-size="13" fill="{INK}">{escape(label)}</text>'
    )


def _frame_axes(frame: _Frame) -> str:
    bottom = frame.top + frame.plot_height
    return (
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{bottom}" '
        f'stroke="{INK}"/><line x1="{frame.left}" y1="{bottom}" '
        f'x2="{frame.left + frame.plot_width}" y2="{bottom}" stroke="{INK}"/>'
    )


def _pass_line_horizontal(frame: _Frame, pass_mark: int) -> list[str]:
    py = frame.y(pass_mark, 100)
    return [
        f'<line x1="{frame.left}" y1="{py:.1f}" x2="{frame.left + frame.plot_width}" '
        f'y2="{py:.1f}" stroke="{PASS_LINE}" stroke-width="2" '
        'stroke-dasharray="6 4"/>'
        f'<text x="{frame.left + frame.plot_width - 4}" y="{py - 6:.1f}" '
        f'text-anchor="end" font-size="12" fill="{PASS_LINE}">'
        f"pass mark {pass_mark} %</text>"
    ]


def _empty_note(frame: _Frame, text: str) -> str:
    return (
        f'<text x="{frame.left + frame.plot_width / 2:.1f}" '
        f'y="{frame.top + frame.plot_height / 2:.1f}" text-anchor="middle" '
        f'font-size="14" fill="{MUTED}">{escape(text)}</text>'
    )


def _time_ticks(start: datetime, end: datetime, count: int = 5) -> list[datetime]:
    if end <= start:
        return [start]
    return [start + (end - start) * i / (count - 1) for i in range(count)]


def score_trend_svg(
    points: Sequence[TimePoint], *, chart_id: str, title: str, desc: str
) -> SafeString:
    """The trainee's own scores (0–100 %) over time, for their dashboard.

    As ``score_timeline_svg``, but drawn in ``currentColor`` and in classes the
    site's stylesheet colours (``.trend-line``, ``.trend-dot``), so that it follows
    the page's light or dark scheme; it scales to its box (no fixed width).
    """
    frame = _Frame(width=640, height=220, left=48, right=16, top=12, bottom=44)
    bottom = frame.top + frame.plot_height
    chart_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'viewBox="0 0 {frame.width} {frame.height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="system-ui, sans-serif" fill="currentColor">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    ]
    for tick in range(0, 101, 25):
        ty = frame.y(tick, 100)
        parts.append(
            f'<line x1="{frame.left}" y1="{ty:.1f}" '
            f'x2="{frame.left + frame.plot_width}" y2="{ty:.1f}" '
            'stroke="currentColor" stroke-opacity=".2"/>'
            f'<text x="{frame.left - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'font-size="12">{tick} %</text>'
        )
    if points:
        start, end = points[0].when, points[-1].when
        span = (end - start).total_seconds()

        def x(index: int, moment) -> float:
            if span <= 0:
                # One day's attempts spread evenly, rather than stacked.
                step = frame.plot_width / (len(points) + 1)
                return frame.left + step * (index + 1)
            offset = (moment - start).total_seconds() / span
            return frame.left + 8 + (frame.plot_width - 16) * offset

        coords = [(x(i, p.when), frame.y(p.percent, 100)) for i, p in enumerate(points)]
        ends = [(0, start)] if span <= 0 else [(0, start), (len(points) - 1, end)]
        for position, (index, moment) in enumerate(ends):
            anchor = "middle" if len(ends) == 1 else ("start", "end")[position]
            parts.append(
                f'<text x="{x(index, moment):.1f}" y="{bottom + 18}" '
                f'text-anchor="{anchor}" font-size="12">'
                f"{escape(f'{moment.day} {moment:%b %Y}')}</text>"
            )
        parts.append(
            '<polyline class="trend-line" fill="none" stroke="currentColor" '
            'stroke-width="2" points="{}"/>'.format(
                " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            )
        )
        for point, (cx, cy) in zip(points, coords, strict=True):
            parts.append(
                f'<circle class="trend-dot" cx="{cx:.1f}" cy="{cy:.1f}" r="4">'
                f"<title>{escape(point.label)}: {point.percent:g} % on "
                f"{escape(f'{point.when.day} {point.when:%b %Y %H:%M}')}</title>"
                "</circle>"
            )
    else:
        parts.append(
            f'<text x="{frame.left + frame.plot_width / 2:.1f}" '
            f'y="{frame.top + frame.plot_height / 2:.1f}" text-anchor="middle" '
            'font-size="14">No finished attempt yet.</text>'
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{bottom}" '
        f'stroke="currentColor"/><line x1="{frame.left}" y1="{bottom}" '
        f'x2="{frame.left + frame.plot_width}" y2="{bottom}" stroke="currentColor"/>'
        f'<text x="{frame.left + frame.plot_width / 2:.1f}" y="{frame.height - 6}" '
        'text-anchor="middle" font-size="12">Date finished</text></svg>'
    )
    return mark_safe("".join(parts))
