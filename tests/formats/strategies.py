"""Building blocks for the formats' round-trip properties (hypothesis).

Every format draws its texts from its own alphabet (the characters and strings it
reads specially) and has its own limits (Aiken: single best answer only, no
feedback; CSV: weights that agree with the key; …). These blocks put them together
the same way for all four: texts made of unicode runs and reserved strings, long
texts, empty optional texts, and questions whose kind sets their choices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from quizzes.formats.base import ParsedChoice, ParsedQuestion

KINDS = ("single", "multiple", "true_false")
NOTHING = st.just("")  # for the texts a format has no place for
# How a format draws a question's weights: (kind, number of choices) → weights.
Fractions = Callable[[str, int], st.SearchStrategy[list[float]]]


def characters(*, also_exclude: str = "") -> st.SearchStrategy[str]:
    """Any character but control characters and lone surrogates (which are not
    text), nor ``also_exclude``."""
    return st.characters(
        exclude_categories=("Cc", "Cs"), exclude_characters=also_exclude
    )


def pieces(
    alphabet: st.SearchStrategy[str], reserved: Sequence[str], *, max_size: int
) -> st.SearchStrategy[str]:
    """A run of up to ``max_size`` characters, or one of the format's reserved
    strings."""
    return st.one_of(st.text(alphabet, max_size=max_size), st.sampled_from(reserved))


def short_texts(
    piece: st.SearchStrategy[str], *, max_pieces: int = 8
) -> st.SearchStrategy[str]:
    """A few pieces joined: reserved strings next to each other and to text."""
    return st.lists(piece, max_size=max_pieces).map("".join)


def long_texts(
    piece: st.SearchStrategy[str], *, min_size: int, max_size: int
) -> st.SearchStrategy[str]:
    """A text of ``min_size`` to ``max_size`` characters: a few pieces, repeated.

    Repeating a drawn run, rather than drawing every character, keeps a long text
    cheap to generate (drawing thousands of characters one at a time was most of
    the round trips' CI time) while it still has reserved characters throughout.
    """
    run = st.lists(piece, min_size=1, max_size=8).map("".join).filter(bool)

    def stretch(text: str, size: int) -> str:
        return (text * (size // len(text) + 1))[:size]

    return st.builds(stretch, run, st.integers(min_size, max_size))


def texts(*kinds_of_text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Non-empty texts, already stripped (the round trips' domain), drawn from
    one of ``kinds_of_text``."""
    return st.one_of(*kinds_of_text).map(str.strip).filter(bool)


def optional(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``text`` or, as often as not, nothing (no feedback, no title, …)."""
    return st.one_of(NOTHING, text)


def key_forced(weights: st.SearchStrategy[float]) -> Fractions:
    """Weights drawn from ``weights``, a single best answer's drawn key set to 1.0
    (a single question always has a 100% option)."""

    @st.composite
    def fractions(draw, kind: str, count: int) -> list[float]:
        values = draw(st.lists(weights, min_size=count, max_size=count))
        if kind == "single":
            values[draw(st.integers(0, count - 1))] = 1.0
        return values

    return fractions


# One key worth 1.0, every other option 0.0 (what Aiken can carry).
one_key: Fractions = key_forced(st.just(0.0))


@st.composite
def questions(
    draw,
    *,
    text: st.SearchStrategy[str],
    fractions: Fractions,
    kinds: Sequence[str] = KINDS,
    choice_counts: tuple[int, int] = (2, 6),
    name: st.SearchStrategy[str] = NOTHING,
    explanation: st.SearchStrategy[str] = NOTHING,
    feedback: st.SearchStrategy[str] = NOTHING,
    category: st.SearchStrategy[str] = NOTHING,
    source_quote: st.SearchStrategy[str] = NOTHING,
) -> ParsedQuestion:
    """A question of one of ``kinds``: true/false has the choices True then False,
    one of them right, each with its feedback; the others have ``choice_counts``
    choices with texts from ``text`` and weights from ``fractions``."""
    kind = draw(st.sampled_from(kinds))
    if kind == "true_false":
        right = draw(st.booleans())
        choices = (
            ParsedChoice("True", 1.0 if right else 0.0, draw(feedback)),
            ParsedChoice("False", 0.0 if right else 1.0, draw(feedback)),
        )
    else:
        count = draw(st.integers(*choice_counts))
        choices = tuple(
            ParsedChoice(draw(text), fraction, draw(feedback))
            for fraction in draw(fractions(kind, count))
        )
    return ParsedQuestion(
        line=0,
        name=draw(name),
        kind=kind,
        stem=draw(text),
        explanation=draw(explanation),
        choices=choices,
        category=draw(category),
        source_quote=draw(source_quote),
    )
