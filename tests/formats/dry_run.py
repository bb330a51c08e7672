"""Helpers for the fixture-driven format tests: a file and its expected parse."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from quizzes.formats.base import ParseResult, question_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"


def dry_run_json(result: ParseResult) -> dict:
    """``result`` in exactly the ``import_questions --dry-run --json`` layout."""
    return {
        "questions": [question_json(question) for question in result.questions],
        "skipped": [dataclasses.asdict(skipped) for skipped in result.skipped],
        "errors": [dataclasses.asdict(error) for error in result.errors],
    }


def fixture_cases(format_dir: str, extension: str) -> list[Path]:
    """Every ``<case>.<extension>`` file of a format that has a ``<case>.json``."""
    folder = FIXTURES / format_dir
    return sorted(
        path
        for path in folder.glob(f"*{extension}")
        if path.with_suffix(".json").exists()
    )


def expected_parse(case: Path) -> dict:
    return json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
