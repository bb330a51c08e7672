"""A question's version as plain data: what a trainee saw and was scored with.

Pure code, no database: the content of a version is built from a question and its
choices, and two contents are the same version when their fingerprints agree.
Only what changes what a trainee sees or how an answer scores is part of it (stem,
kind, choices, key, rationales, explanation, source quote and its section); the
status is not, so publishing a question does not make a new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def question_content(question: Any, choices: Iterable[Any]) -> dict:
    """The version content of ``question`` with ``choices`` (in display order)."""
    ordered = sorted(choices, key=lambda c: (c.order, c.pk))
    return {
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "source_quote": question.source_quote,
        "section_id": question.section_id,
        "choices": [
            {
                "id": c.pk,
                "order": c.order,
                "text": c.text,
                "is_correct": c.is_correct,
                "rationale": c.rationale,
            }
            for c in ordered
        ],
    }


def content_fingerprint(content: dict) -> str:
    """SHA-256 of the content in a canonical form: equal content, equal print."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_key(content: dict) -> set[int]:
    """The ids of the choices the version marks correct."""
    return {c["id"] for c in content["choices"] if c["is_correct"]}
