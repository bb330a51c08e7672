"""How a file's answer weights meet this platform's scoring rule.

Files carry a weight per option (Moodle: the sum of the chosen options' fractions,
clamped to 0–1). This platform scores a single-best-answer or true/false question
1 for the key and 0 otherwise, and a select-all-that-apply question
``max(0, (correct chosen − wrong chosen) / number correct)`` (``quizzes.scoring``):
every right option is worth +1/k and every wrong one −1/k, where k is the number of
right options. Weights that rule gives are kept as they are; others are reported
per question on import, and the file's weights are still stored so that an export
gives them back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from quizzes.choices import QuestionKind

# Moodle writes a third as 0.3333333; compare weights to that precision.
TOLERANCE = 1e-6


def choice_keys(*, kind: str, fractions: Sequence[float]) -> list[bool]:
    """Which options are keys, from the file's weights.

    Select-all-that-apply: every option with a positive weight. Single best answer
    and true/false: the option(s) worth 100%; partial credit is not a key.
    """
    if kind == QuestionKind.MULTIPLE:
        return [fraction > 0 for fraction in fractions]
    return [math.isclose(fraction, 1.0, abs_tol=TOLERANCE) for fraction in fractions]


def platform_fractions(*, kind: str, keys: Sequence[bool]) -> list[float]:
    """The weight this platform's scoring gives each option, given the keys."""
    if kind != QuestionKind.MULTIPLE:
        return [1.0 if key else 0.0 for key in keys]
    right = sum(keys)
    if not right:
        return [0.0 for _ in keys]
    return [(1 if key else -1) / right for key in keys]


def export_fractions(
    *, kind: str, keys: Sequence[bool], stored: Sequence[float | None]
) -> list[float]:
    """The weights to write for a question: the file's, while they still fit its key.

    A question imported from a file keeps that file's weights; once someone changes
    its key (or adds an option), they no longer describe it, and the platform's own
    weights are written instead.
    """
    if all(value is not None for value in stored) and choice_keys(
        kind=kind, fractions=stored
    ) == list(keys):
        return [float(value) for value in stored]
    return platform_fractions(kind=kind, keys=keys)


def scoring_note(*, kind: str, fractions: Sequence[float]) -> str:
    """What happens to weights this platform's rule cannot express; "" if none.

    Said per question in the import preview and in ``--dry-run --json``.
    """
    keys = choice_keys(kind=kind, fractions=fractions)
    ours = platform_fractions(kind=kind, keys=keys)
    if all(
        math.isclose(theirs, mine, abs_tol=TOLERANCE)
        for theirs, mine in zip(fractions, ours, strict=True)
    ):
        return ""
    given = ", ".join(_percent(fraction) for fraction in fractions)
    if kind == QuestionKind.MULTIPLE:
        right = sum(keys)
        if not right:
            return (
                f"no option has a positive weight ({given}), so none is a key; "
                "the file's weights are kept for export"
            )
        return (
            f"scored here as +1/{right} for each right option and −1/{right} for "
            f"each wrong one, never below 0 (the file gives {given}); the file's "
            "weights are kept for export"
        )
    return (
        f"scored here as 1 for the 100% option and 0 for any other, so partial "
        f"credit is not given (the file gives {given}); the file's weights are kept "
        "for export"
    )


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"
