"""The production recipe (gunicorn.conf.py) runs the expiry scheduler as a child of
the master: started when the server is ready, stopped with it, and never left behind
when the master is killed with ``kill -9`` (a restart on the same port must not add
an orphan scheduler each time)."""

import os
import runpy
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.processes import (
    ROOT,
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

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG"
)
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def start_gunicorn(tmp_path) -> tuple[subprocess.Popen, object]:
    """Production settings, one worker, a free port and a fresh database, as
    ``make serve`` runs it; returns the master and its log file."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **migrated_sqlite(tmp_path / "db.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
        "SECRET_KEY": "test-only-key-" + "x" * 50,
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": os.devnull,
    }
    master = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "quizsite.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_until(lambda: listening(port), timeout=90, what="gunicorn to listen")
    return master, log


def scheduler_of(master, log) -> int:
    """The master's scheduler child, once it is up (its first log line is written
    after it asked to die with the master)."""
    [scheduler] = wait_until(
        lambda: schedulers(parent=master.pid), timeout=60, what="the scheduler"
    )
    wait_until(
        lambda: "closing expired attempts every 60 s" in log.read_text(),
        timeout=60,
        what="the scheduler's first line",
    )
    return scheduler


@pytest.mark.skipif(not GUNICORN.exists(), reason="needs gunicorn")
def test_a_killed_master_takes_its_scheduler_with_it(tmp_path):
    master, log = start_gunicorn(tmp_path)
    try:
        scheduler = scheduler_of(master, log)
        assert f"--every 60 --parent {master.pid}" in cmdline(scheduler)
        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=10)
        wait_until(lambda: not alive(scheduler), timeout=15, what="the orphan's end")
    finally:
        kill_all(processes(session=master.pid))
    assert "expiry scheduler stopped after 1 run(s)" in log.read_text()


@pytest.mark.skipif(not GUNICORN.exists(), reason="needs gunicorn")
def test_a_stopped_server_stops_its_scheduler(tmp_path):
    """SIGTERM to the master (a graceful stop): ``on_exit`` stops the scheduler."""
    master, log = start_gunicorn(tmp_path)
    try:
        scheduler = scheduler_of(master, log)
        master.send_signal(signal.SIGTERM)
        assert master.wait(timeout=60) == 0
        assert not alive(scheduler)
    finally:
        kill_all(processes(session=master.pid))


def test_expiry_scheduler_0_leaves_gunicorn_without_one(monkeypatch):
    """The hooks, without starting gunicorn: switched off, nothing is started and
    stopping is a no-op."""
    monkeypatch.setenv("EXPIRY_SCHEDULER", "0")
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server = SimpleNamespace()
    hooks["when_ready"](server)
    assert server.expiry_scheduler is None
    hooks["on_reload"](server)
    hooks["on_exit"](server)
    assert server.expiry_scheduler is None


def test_gunicorn_also_runs_the_lms_grade_sender(monkeypatch):
    """The hooks start ``lti_send_grades --every 60`` beside the expiry scheduler
    (both bound to the master), and stop both."""
    started = []

    class FakeChild:
        def __init__(self, argv, **kwargs):
            started.append(argv[2:])
            self.stopped = False

        def poll(self):
            return 0 if self.stopped else None

        def terminate(self):
            self.stopped = True

        def wait(self, timeout=None):
            return 0

    monkeypatch.delenv("EXPIRY_SCHEDULER", raising=False)
    monkeypatch.setattr("quizzes.scheduler.subprocess.Popen", FakeChild)
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    server = SimpleNamespace()
    hooks["when_ready"](server)
    parent = str(os.getpid())
    assert started == [
        ["close_expired_attempts", "--every", "60", "--parent", parent],
        ["lti_send_grades", "--every", "60", "--parent", parent],
    ]
    hooks["on_exit"](server)
    assert server.expiry_scheduler.stopped and server.grade_sender.stopped
