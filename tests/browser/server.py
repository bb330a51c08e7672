"""A real server process for the browser tests that need to stop and start it.

``live_server`` is a thread of the test process and cannot be restarted, so this
runs gunicorn (the repository's gunicorn.conf.py, the test settings) in its own
process group on a fixed free port, against the test database the test process
uses: the SQLite file of quizsite/settings/test.py, or PostgreSQL's ``test_…``
database. Only transactional tests may use it: their data is committed, so the
server sees it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30


def database_url() -> str:
    """DATABASE_URL naming the test database this process is connected to."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``start()``, ``stop()`` (``kill -9`` of master and workers) and ``url``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "quizsite.settings.test",
            "DATABASE_URL": database_url(),
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "ACCESS_LOG": "-",
        }
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "quizsite.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group: stop() kills the master and its workers.
            start_new_session=True,
        )
        ready = threading.Event()
        threading.Thread(
            target=self._drain, args=(self._process, ready), daemon=True
        ).start()
        # gunicorn logs "Listening at" once the socket is bound: a request sent from
        # then on waits in its backlog for a worker, so one health check proves the
        # app is served without polling.
        try:
            if not ready.wait(READY_TIMEOUT_S) or self._process.poll() is not None:
                raise RuntimeError("no 'Listening at'")
            with urlopen(f"{self.url}/healthz", timeout=READY_TIMEOUT_S) as response:
                response.read()
        except Exception as error:
            self.stop()
            raise RuntimeError(
                f"gunicorn did not start ({error}):\n" + "".join(self.output)
            ) from error

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # The group even when the master is gone: no orphaned worker keeps the port.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=READY_TIMEOUT_S)

    def _drain(self, process: subprocess.Popen, ready: threading.Event) -> None:
        # Read everything, so a full pipe never blocks the server's logging.
        for line in process.stdout:
            self.output.append(line)
            if "Listening at:" in line:
                ready.set()
        ready.set()  # exited: start() sees it through poll()
