"""Watching real processes from a test: who is whose child, and waiting for it.

For the tests that start a server (``make dev-server``, gunicorn) and check the
expiry scheduler beside it: polling /proc, since these are other processes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEDULER = "close_expired_attempts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid pgrp session ...": comm may hold spaces.
    return text[text.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def processes(*, parent: int | None = None, session: int | None = None) -> list[int]:
    """The live pids with this parent, or in this session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None or fields[0] == "Z":
            continue
        if parent is not None and int(fields[1]) != parent:
            continue
        if session is not None and int(fields[3]) != session:
            continue
        found.append(int(entry.name))
    return found


def schedulers(**where) -> list[int]:
    """The ``manage.py close_expired_attempts`` processes (not the shell that
    started one, whose command line also names it)."""
    return [pid for pid in processes(**where) if _argv(pid)[1:3] == _MANAGE_SCHEDULER]


_MANAGE_SCHEDULER = ["manage.py", SCHEDULER]


def _argv(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [
        Path(a).name if i == 1 else a for i, a in enumerate(raw.decode().split("\0"))
    ]


def wait_until(predicate, *, timeout: float, what: str):
    """Poll ``predicate`` every 0.2 s until it is truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def kill_all(pids) -> None:
    """Clean up what a test started, by pid (never by name)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


def migrated_sqlite(path: Path) -> dict[str, str]:
    """A fresh, migrated SQLite database at ``path``; the environment of a process
    that uses it (development settings)."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.dev",
        "LOG_LEVEL": "INFO",
    }
    env.pop("EXPIRY_SCHEDULER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "WARNING"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env
