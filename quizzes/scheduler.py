"""The expiry scheduler: a loop beside the web server that closes due attempts.

Attempts whose time ran out are also closed on read (the pages that show them close
them first), but a result nobody opens should not wait for a reader: so ``make run``
and the gunicorn recipe start ``manage.py close_expired_attempts --every 60`` as a
child process, with no cron to set up. ``EXPIRY_SCHEDULER=0`` turns it off.

No database here: the loop takes its job, its wait and its liveness check as
arguments (the management command passes the real ones, the tests fakes that never
sleep), and the process helpers only start, watch and stop a child.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

ENV_SWITCH = "EXPIRY_SCHEDULER"
INTERVAL_SECONDS = 60
OFF_VALUES = {"0", "false", "no", "off"}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_TIMEOUT_SECONDS = 10


def scheduler_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the server should start the scheduler: yes unless ``EXPIRY_SCHEDULER``
    says 0 (or false, no, off), e.g. for a benchmark that wants no background
    writes, or a second node when one scheduler is enough."""
    return environ.get(ENV_SWITCH, "1").strip().lower() not in OFF_VALUES


def run_every(
    *,
    seconds: float,
    job: Callable[[], None],
    wait: Callable[[float], bool],
    alive: Callable[[], bool] = lambda: True,
) -> int:
    """Run ``job`` now and then every ``seconds``; return how many times it ran.

    ``wait(seconds)`` sleeps and returns True when asked to stop
    (``threading.Event.wait``: a signal handler sets the event, so a stop never
    waits out the interval); ``alive()`` False, checked before each run, ends the
    loop too (the server that started it is gone). ``job`` handles its own errors:
    one that raises ends the loop.
    """
    runs = 0
    while alive():
        job()
        runs += 1
        if wait(seconds):
            break
    return runs


def stop_event_on_signals(
    signals=(signal.SIGTERM, signal.SIGINT),
) -> threading.Event:
    """An event that SIGTERM or SIGINT sets, for ``run_every``'s ``wait``.

    Setting the handlers also overrides the SIG_IGN that a shell gives a background
    job's SIGINT, so Ctrl-C in ``make run`` stops the scheduler with the server.
    """
    stop = threading.Event()

    def handler(signum, frame):
        # Only set the event: logging from a handler could interleave with a log
        # line the loop is writing. The command logs the stop once the loop ends.
        stop.set()

    for signum in signals:
        signal.signal(signum, handler)
    return stop


def die_with_parent(parent_pid: int | None = None) -> Callable[[], bool]:
    """Ask Linux to send SIGTERM when the parent dies (even by ``kill -9``), and
    return the ``alive`` check of ``run_every``: the parent is still ours.

    ``parent_pid``: the server that started us. If it died before the request
    took effect we were already re-parented: ``alive()`` is then False at once.
    Off Linux, the check alone ends the loop within one interval.
    """
    parent = parent_pid if parent_pid is not None else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            logger.warning("expiry scheduler: cannot ask to die with the server")
    return lambda: os.getppid() == parent


def scheduler_command(
    *, manage: Path, parent_pid: int, command: str = "close_expired_attempts"
) -> list[str]:
    """The child's command line: this Python, ``manage.py close_expired_attempts``
    (or another loop with the same ``--every``/``--parent`` options, such as the
    LMS grade sender) every minute, bound to ``parent_pid``."""
    return [
        sys.executable,
        str(manage),
        command,
        "--every",
        str(INTERVAL_SECONDS),
        "--parent",
        str(parent_pid),
    ]


def scheduler_start(
    *,
    manage: Path,
    environ: Mapping[str, str] = os.environ,
    command: str = "close_expired_attempts",
) -> subprocess.Popen | None:
    """Start the scheduler (``command``'s loop) as a child of this process (the
    gunicorn master), or None when ``EXPIRY_SCHEDULER`` turns it off. It inherits
    the environment, so it runs with the server's settings and database."""
    if not scheduler_enabled(environ):
        logger.info("%s: off (%s=0)", command, ENV_SWITCH)
        return None
    return subprocess.Popen(
        scheduler_command(manage=manage, parent_pid=os.getpid(), command=command),
        cwd=manage.parent,
        env=dict(environ),
        stdin=subprocess.DEVNULL,
    )


def scheduler_stop(process: subprocess.Popen | None) -> None:
    """Stop the child cleanly (SIGTERM), or kill it if it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
