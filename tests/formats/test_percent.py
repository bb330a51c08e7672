"""Weights written as percentages (quizzes.formats.percent), shared by GIFT, Moodle
XML and CSV; each format's round-trip test reads them back through its reader."""

from __future__ import annotations

import pytest

from quizzes.formats.percent import percent_text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(1.0, "100"), (0.5, "50"), (0.3333333, "33.33333"), (-1.0, "-100"),
     (1 / 3, "33.33333333333333"), (1e-05, "0.001"), (1e22, "1" + "0" * 24)],
)  # fmt: skip
def test_a_weight_is_a_plain_decimal_percentage(fraction, text):
    """The shortest decimal of the weight, shifted two places: no exponent, which
    Moodle cannot read, and no trailing zeros."""
    assert percent_text(fraction) == text


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_zero_is_written_without_a_sign(zero):
    """A weight of minus zero is written ``0``, as Moodle writes it, in every
    format."""
    assert percent_text(zero) == "0"
