"""A weight as the percentage a question file writes, exact both ways.

GIFT (``~%33.33333%``), Moodle XML (``fraction="33.33333"``) and CSV (``weight_a``)
all write a weight as a percentage, and all read it back by shifting the decimal
two places. Written this way, every finite float reads back as itself.
"""

from __future__ import annotations

from decimal import Decimal


def percent_text(fraction: float) -> str:
    """``fraction`` as a plain decimal percentage: 1.0 → ``100``, 0.3333333 →
    ``33.33333``, -1.0 → ``-100``, 1e-05 → ``0.001``.

    ``repr`` is the shortest decimal that gives the float back, and shifting it two
    places is exact in decimal, so no digit is lost or made up; there is never an
    exponent (Moodle cannot read one) and never ``-0``.
    """
    text = format(Decimal(repr(fraction)).scaleb(2), "f")
    return "0" if text == "-0" else text
