"""``manage.py close_expired_attempts``: once, or every minute beside the server.

The loop's wait is injected: these tests move the clock a minute per "sleep" and
never sleep. One test runs the real command and stops it with SIGTERM.
"""

import logging
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from quizzes.choices import AttemptState
from quizzes.management.commands.close_expired_attempts import Command
from quizzes.scheduler import run_every, scheduler_enabled, stop_event_on_signals
from quizzes.services.attempts import attempt_start
from tests.factories import QuestionFactory, QuizFactory, UserFactory
from tests.processes import ROOT, migrated_sqlite, wait_until

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def minutes_passing(traveller, *, stop_after: int):
    """A ``wait`` for the loop: each call moves the clock a minute; the
    ``stop_after``-th call says stop."""
    calls = []

    def wait(seconds: float) -> bool:
        assert seconds == 60
        calls.append(seconds)
        traveller.shift(MINUTE)
        return len(calls) >= stop_after

    return wait


def closing_lines(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "quizzes.scheduler" and "closed" in r.getMessage()
    ]


@pytest.mark.django_db
def test_the_loop_closes_each_minute_what_fell_due_and_logs_the_count(
    time_machine, caplog
):
    """Runs at 9:09:30, 9:10:30 and 9:11:30: the attempt due at 9:10 (plus the
    grace) is closed by the second run, which logs one line with the count; the
    runs with nothing to close say nothing."""
    quiz = QuizFactory(with_questions=[QuestionFactory()])
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    time_machine.move_to(T0 + timedelta(minutes=9, seconds=30), tick=False)
    with caplog.at_level(logging.INFO, logger="quizzes"):
        runs = Command().loop(
            every=60,
            alive=lambda: True,
            wait=minutes_passing(time_machine, stop_after=3),
            refresh=lambda: None,  # the test's transaction holds the connection
        )
    assert runs == 3
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert closing_lines(caplog) == ["expiry scheduler: closed 1 expired attempt(s)"]
    assert [r.levelname for r in caplog.records if "closed 1" in r.getMessage()] == [
        "INFO"
    ]


@pytest.mark.django_db
def test_the_loop_ends_when_the_server_that_started_it_is_gone(time_machine):
    """Checked before each pass: a server that died before the scheduler was up
    never gets an orphan running passes."""
    time_machine.move_to(T0, tick=False)
    runs = Command().loop(
        every=60,
        alive=lambda: False,
        wait=minutes_passing(time_machine, stop_after=99),
        refresh=lambda: None,
    )
    assert runs == 0


@pytest.mark.django_db
def test_a_failed_pass_is_logged_and_the_next_minute_tries_again(
    time_machine, caplog, monkeypatch
):
    """The database restarting must not kill the scheduler: the error is logged
    and the next pass runs, after the connection is checked (and replaced if
    broken) as a web request's would be."""
    calls, refreshed = [], []

    def flaky(*, now):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 0

    monkeypatch.setattr(
        "quizzes.management.commands.close_expired_attempts.attempts_close_expired",
        flaky,
    )
    time_machine.move_to(T0, tick=False)
    with caplog.at_level(logging.INFO, logger="quizzes"):
        runs = Command().loop(
            every=60,
            alive=lambda: True,
            wait=minutes_passing(time_machine, stop_after=2),
            refresh=lambda: refreshed.append(1),
        )
    assert runs == len(calls) == len(refreshed) == 2
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in errors] == [
        "expiry scheduler: closing expired attempts failed"
    ]


def test_run_every_stops_when_the_wait_says_so():
    jobs = []
    waits = iter([False, False, True])
    runs = run_every(seconds=60, job=lambda: jobs.append(1), wait=lambda s: next(waits))
    assert runs == len(jobs) == 3


def test_run_every_stops_before_the_next_pass_once_its_server_is_gone():
    """Checked before each pass: a master that died between two passes gets no
    further pass from its orphan."""
    jobs = []
    alive = iter([True, True, False])
    runs = run_every(
        seconds=60,
        job=lambda: jobs.append(1),
        wait=lambda s: False,
        alive=lambda: next(alive),
    )
    assert runs == len(jobs) == 2


@pytest.fixture
def signal_handlers():
    """Put back the SIGTERM and SIGINT handlers a test replaces."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_ends_the_wait_at_once(signal_handlers, signum):
    """A stop never waits out the minute: the signal sets the event the loop
    waits on."""
    stop = stop_event_on_signals()
    signal.raise_signal(signum)
    assert stop.wait(3600) is True


@pytest.mark.parametrize(
    ("value", "enabled"),
    [(None, True), ("1", True), ("0", False), ("off", False), ("False", False)],
)
def test_expiry_scheduler_0_turns_the_scheduler_off(value, enabled):
    environ = {} if value is None else {"EXPIRY_SCHEDULER": value}
    assert scheduler_enabled(environ) is enabled


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "0"], "--every must be at least 1 second, not 0"),
        (["--parent", "1"], "--parent goes with --every"),
    ],
)
def test_bad_options_are_refused_with_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("close_expired_attempts", *args)


def test_the_running_command_stops_cleanly_on_sigterm(tmp_path):
    """The real loop, in its own process: it logs its start, then SIGTERM ends it
    at once (not after the minute) with status 0 and a last line."""
    env = migrated_sqlite(tmp_path / "db.sqlite3")
    log = tmp_path / "scheduler.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "close_expired_attempts", "--every", "60"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: "closing expired attempts every 60 s" in log.read_text(),
            timeout=60,
            what="the scheduler's first line",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert "expiry scheduler stopped after 1 run(s)" in text
    assert "Traceback" not in text
