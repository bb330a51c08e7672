"""The fixture-driven format tests' helpers: a fixture file and its expected parse.

Every format keeps its tricky cases as ``tests/fixtures/formats/<format>/<case>.<ext>``
next to ``<case>.json``, the parse it must give in exactly the
``import_questions --dry-run --json`` layout.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from quizzes.formats.base import ParseResult, QuestionFormat, question_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"


def dry_run_json(result: ParseResult) -> dict:
    """``result`` in exactly the ``import_questions --dry-run --json`` layout."""
    return {
        "questions": [question_json(question) for question in result.questions],
        "skipped": [dataclasses.asdict(skipped) for skipped in result.skipped],
        "errors": [dataclasses.asdict(error) for error in result.errors],
    }


def fixture_cases(format_dir: str, extension: str) -> list:
    """Every ``<case><extension>`` file of a format that has a ``<case>.json``, as
    pytest parameters named by the case (other files, such as an export's expected
    output, have no ``.json``)."""
    folder = FIXTURES / format_dir
    return [
        pytest.param(path, id=path.stem)
        for path in sorted(folder.glob(f"*{extension}"))
        if path.with_suffix(".json").exists()
    ]


def parsed_fixture(module: QuestionFormat, case: Path) -> dict:
    """What ``module`` reads from the fixture file ``case``, in the dry-run layout."""
    with case.open("rb") as stream:
        return dry_run_json(ParseResult.collect(module.parse(stream)))


def expected_parse(case: Path) -> dict:
    """The parse stored next to the fixture file ``case``."""
    return json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
