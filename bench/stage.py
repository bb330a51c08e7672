"""What the cohort benchmark and the fault drill share: the options every bench takes,
a fresh site (database, seed content, trainees, static files), gunicorn with the
production settings, and a ``main`` that stops everything whatever happens.

Environment: TRAINEES, BENCH_PG=1 (a throwaway PostgreSQL 15 cluster), DATABASE_URL
(a fresh database on that server), BENCH_KEEP=1 (keep the temporary directory),
WEB_CONCURRENCY (gunicorn's workers, read by gunicorn.conf.py).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import procs

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable  # the .venv's python under make
SLUG = "comprehensive-ketamine-clinical-overview"
PREFIX = "bench-trainee-"


def say(text: str = "") -> None:
    print(text, flush=True)


def env_num(name: str, default, cast=float):
    value = os.environ.get(name, "")
    return cast(value) if value.strip() else default


def options(description: str, trainees: int) -> argparse.Namespace:
    """The options every bench takes; the caller reads its own on top."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--pg",
        action="store_true",
        default=os.environ.get("BENCH_PG", "") not in ("", "0"),
        help="start a throwaway PostgreSQL 15 cluster (also BENCH_PG=1)",
    )
    parser.add_argument("--json", help="also write the results as JSON here")
    opts = parser.parse_args()
    opts.trainees = env_num("TRAINEES", trainees, int)
    if opts.trainees < 1:
        parser.error("TRAINEES must be at least 1")
    opts.database_url = os.environ.get("DATABASE_URL", "").strip()
    opts.keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")
    return opts


def run(cmd: list[str], env: dict, what: str) -> str:
    started = time.time()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        say(done.stdout + done.stderr)
        raise RuntimeError(f"{what} failed (exit {done.returncode})")
    say(f"  {what}: {time.time() - started:.1f}s")
    return done.stdout


@dataclass
class Site:
    """A fresh site: its temporary directory, the server's environment, the
    trainees' password, and the database (with its cluster when the bench owns it).
    """

    tmp: Path
    env: dict = field(default_factory=dict)
    password: str = ""
    db_label: str = ""
    db_pid: int | None = None
    cluster: procs.PostgresCluster | None = None
    hasher: dict = field(default_factory=dict)

    @property
    def on_postgres(self) -> bool:
        return self.env["DATABASE_URL"].startswith("postgres")

    def audit(self, acks_path: Path) -> dict:
        """``bench/dbtool.py audit`` over the acknowledged saves in ``acks_path``."""
        out = run(
            [PYTHON, "bench/dbtool.py", "audit", PREFIX, str(acks_path)],
            self.env,
            "audit",
        )
        return json.loads(out.strip().splitlines()[-1])


def _database(opts, cleanup: procs.Cleanup, site: Site) -> str:
    if opts.pg:
        site.cluster = procs.start_postgres_cluster(cleanup)
        site.db_label = "PostgreSQL 15 (throwaway cluster, fsync on)"
        site.db_pid = site.cluster.pid
        return procs.fresh_postgres_database(site.cluster.url, cleanup)
    if opts.database_url:
        if not opts.database_url.startswith(("postgres://", "postgresql://")):
            raise RuntimeError("DATABASE_URL: only postgres:// URLs are supported")
        url = procs.fresh_postgres_database(opts.database_url, cleanup)
        site.db_label = "PostgreSQL (fresh database on DATABASE_URL's server)"
        site.db_pid = procs.postmaster_pid(int(url.rsplit(":", 1)[1].split("/")[0]))
        return url
    site.db_label = "SQLite (WAL)"
    return f"sqlite:///{site.tmp / 'bench.sqlite3'}"


def prepare_site(opts, cleanup: procs.Cleanup, name: str) -> Site:
    """A fresh database with the seed content and ``opts.trainees`` trainees, and
    the static files the login page needs; all of it removed by ``cleanup``.
    """
    site = Site(tmp=Path(tempfile.mkdtemp(prefix=f"{name}-")))
    if opts.keep:
        say(f"keeping {site.tmp}")
    else:
        cleanup.add(
            "remove the temporary directory",
            lambda: shutil.rmtree(site.tmp, ignore_errors=True),
        )
    say("preparing the database")
    url = _database(opts, cleanup, site)
    site.password = secrets.token_urlsafe(12)
    site.env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
        "HTTPS": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }
    site.env.pop("REDIS_URL", None)
    # Static files: the login page needs the manifest. No database: run alongside.
    static = subprocess.Popen(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        process_group=0,
    )
    cleanup.add("stop collectstatic", lambda: procs.stop_process(static))
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--no-input", "-v0"], site.env, "migrate")
    document = "fixtures/ketamine-clinical-overview.md"
    run(
        [*manage, "import_document", document, "--title", "Ketamine Clinical Overview"],
        site.env,
        "import_document",
    )
    run([*manage, "load_banks"], site.env, "load_banks")
    run([*manage, "create_seed_quizzes"], site.env, "create_seed_quizzes")
    out = run(
        [
            PYTHON,
            "bench/dbtool.py",
            "trainees",
            str(opts.trainees),
            PREFIX,
            site.password,
        ],
        site.env,
        f"{opts.trainees} trainees",
    )
    site.hasher = json.loads(out.strip().splitlines()[-1])
    if static.wait(120) != 0:
        raise RuntimeError(f"collectstatic failed: {static.stderr.read()}")
    return site


def main(name: str, body: Callable[[], int], cleanup: procs.Cleanup) -> int:
    """Run ``body``; whatever happens (error, Ctrl-C, SIGTERM) run ``cleanup``, then
    print the verdict. Returns the exit code."""

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    started = time.time()
    code = 1
    try:
        code = body()
    except KeyboardInterrupt:
        say("\ninterrupted: stopping everything")
        code = 130
    except SystemExit as exc:  # SIGTERM
        say("\nterminated: stopping everything")
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:
        traceback.print_exc()
        say(f"\n{name} failed: {exc}")
        code = 1
    finally:
        cleanup.run()
    verdict = "OK" if code == 0 else "FAILED"
    say(f"{name}: {verdict} in {time.time() - started:.0f}s")
    return code
