"""`make run`: its set-up step says what a newcomer needs, and nothing alarming;
its server runs with the expiry scheduler beside it."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import (
    alive,
    cmdline,
    free_port,
    kill_all,
    listening,
    migrated_sqlite,
    processes,
    schedulers,
    wait_until,
)

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


def _in_new_terminal_group():
    # As a terminal's shell starts a foreground job: its own process group, and
    # Ctrl-C's SIGINT at its default (whatever this test process inherited).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _dev_server(tmp_path, **env) -> tuple[subprocess.Popen, int]:
    """``make dev-server`` (what ``make run`` ends with) on a free port and a fresh
    database, without the set-up step (-o: the venv counts as installed)."""
    port = free_port()
    make = subprocess.Popen(
        [
            *("make", "--no-print-directory", "-o", ".venv/bin/.installed"),
            *("dev-server", f"PORT={port}"),
        ],
        cwd=ROOT,
        env={**migrated_sqlite(tmp_path / "db.sqlite3"), **env},
        stdout=(tmp_path / "make.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_in_new_terminal_group,
    )
    wait_until(lambda: listening(port), timeout=90, what="runserver to listen")
    return make, port


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_make_run_starts_the_expiry_scheduler_and_ctrl_c_stops_it_with_the_server(
    tmp_path,
):
    """Beside runserver, one ``close_expired_attempts --every 60`` of this session
    (and the LMS grade sender, ``lti_send_grades --every 60``); Ctrl-C (SIGINT to
    the foreground group) stops the server and both loops, and nothing of the
    session is left running."""
    make, _ = _dev_server(tmp_path)
    try:
        [scheduler] = wait_until(
            lambda: schedulers(session=make.pid), timeout=30, what="the scheduler"
        )
        assert "--every 60" in cmdline(scheduler)
        wait_until(
            lambda: [
                pid
                for pid in processes(session=make.pid)
                if "manage.py lti_send_grades --every 60" in cmdline(pid)
            ],
            timeout=30,
            what="the grade sender",
        )
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=60)
        wait_until(lambda: not alive(scheduler), timeout=15, what="its stop")
        assert processes(session=make.pid) == []
    finally:
        kill_all(processes(session=make.pid))
    assert (
        "expiry scheduler stopped after 1 run(s)" in (tmp_path / "make.log").read_text()
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_make_run_with_expiry_scheduler_0_runs_the_server_alone(tmp_path):
    make, _ = _dev_server(tmp_path, EXPIRY_SCHEDULER="0")
    try:
        assert schedulers(session=make.pid) == []
    finally:
        kill_all(processes(session=make.pid))
