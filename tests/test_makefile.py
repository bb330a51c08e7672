"""`make run`'s set-up step says what a newcomer needs, and nothing alarming."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the set-up's output is the same on either database: checked on SQLite",
)
def test_make_seed_prints_only_its_summary_lines(tmp_path):
    """On a fresh database: one line per step, no migration list, no log lines and
    no "Existing history found" note. (Running it again changing nothing is
    tests/commands/test_audit_bank.py's.)"""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.dev",
    }
    run = subprocess.run(
        ["make", "--no-print-directory", "seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        # A checkout newer than its venv reinstalls first (one line of ours, and
        # pip's notes about this machine's package mirrors).
        if not line.startswith(("WARNING: Location", "Installing the pinned"))
    ]
    text = "\n".join(lines)
    assert "Existing history found" not in text
    assert "Applying " not in text
    assert " INFO " not in text
    assert "manage.py" not in text  # make's echo of each command
    assert lines[0].startswith("Preparing the database")
    assert any("65 sections" in line for line in lines)
    assert any("98 created" in line for line in lines)
    assert any("demo accounts" in line for line in lines)
    assert len(lines) == 5, lines
