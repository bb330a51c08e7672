"""Plain stand-ins for a question and its choices, for the pure rule tests.

``quizzes.rules`` reads any object with these attributes (its ``ChoiceLike`` and
``QuestionLike`` protocols), so the rule tests need no database.
"""

from dataclasses import dataclass


@dataclass
class C:
    text: str
    is_correct: bool = False
    rationale: str = "because"


@dataclass
class Q:
    kind: str = "single"
    stem: str = "A patient has no IV access. Which route fits?"
    explanation: str = "why"
    source_quote: str = "quoted words"
