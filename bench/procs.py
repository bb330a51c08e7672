"""Processes the benchmark starts and watches: gunicorn, PostgreSQL, CPU sampling.

Everything started here is registered with a ``Cleanup`` so that it is stopped at
exit, on error and on Ctrl-C alike. psutil (requirements-bench.txt) is imported only
by the CPU sampling: the fault drill needs nothing beyond requirements.txt.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# The gunicorn of the interpreter running the benchmark (the .venv's).
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


class Cleanup:
    """Callbacks run last-in first-out, once, whatever happens."""

    def __init__(self) -> None:
        self._callbacks: list[tuple[str, Callable[[], None]]] = []

    def add(self, what: str, callback: Callable[[], None]) -> None:
        self._callbacks.append((what, callback))

    def run(self) -> None:
        while self._callbacks:
            what, callback = self._callbacks.pop()
            try:
                callback()
            except Exception as exc:  # keep stopping the rest
                print(f"cleanup: {what}: {exc}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prioritize(pid: int | str, nice: int) -> bool:
    """Give a process's scheduler autogroup (its session) a nice value.

    With autogroup scheduling (Linux's default on desktops and here), sessions share
    the CPU as groups and a process's own nice value only counts inside its group.
    """
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        return True
    except OSError:
        return False


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM the process's group (its own), then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def tree_cpu(pid: int | None) -> float:
    """CPU seconds of a process and its children, the reaped ones included."""
    import psutil

    if pid is None:
        return 0.0
    try:
        proc = psutil.Process(pid)
        t = proc.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in proc.children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


class CpuSampler(threading.Thread):
    """Samples, every ``interval`` s, the CPU seconds of the machine, the server,
    the database server and the current load generator, to split any time window.
    """

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.server_pid: int | None = None
        self.db_pid: int | None = None
        # PostgreSQL only: (backends running a query, backends waiting on a lock).
        self.db_probe: Callable[[], tuple[int, int]] | None = None
        self.db_samples: list[tuple[float, int, int]] = []
        self.generator_pid: int | None = None
        self._generator_done = 0.0  # CPU of generators that have exited
        self._generator_last = 0.0
        self.samples: list[tuple[float, float, float, float, float, float]] = []
        # NODES=2: each node's process tree and the balancer and Redis, by name;
        # the server's CPU is then the nodes' sum. A killed node keeps the CPU it
        # had used (a process tree's CPU is counted while it lives).
        self.parts: dict[str, int] = {}
        self.nodes: set[str] = set()
        self._parts_last: dict[str, float] = {}
        self.part_samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def set_generator(self, pid: int | None) -> None:
        with self._lock:
            self._generator_done += self._generator_last
            self._generator_last = 0.0
            self.generator_pid = pid

    def sample(self) -> None:
        import psutil

        machine = psutil.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)
        total = sum(machine)
        with self._lock:
            if self.generator_pid is not None:
                self._generator_last = max(
                    self._generator_last, tree_cpu(self.generator_pid)
                )
            generator = self._generator_done + self._generator_last
        parts = {}
        for name, pid in self.parts.items():
            parts[name] = max(self._parts_last.get(name, 0.0), tree_cpu(pid))
        self._parts_last = parts
        self.part_samples.append(parts)
        server = (
            sum(v for k, v in parts.items() if k in self.nodes)
            if self.nodes
            else tree_cpu(self.server_pid)
        )
        self.samples.append(
            (
                time.time(),
                total - idle,
                total,
                server,
                tree_cpu(self.db_pid),
                generator,
            )
        )

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
            if self.db_probe is not None:
                try:
                    self.db_samples.append((time.time(), *self.db_probe()))
                except Exception:  # diagnostics only: never stop the run
                    self.db_probe = None

    def stop(self) -> None:
        self._stop.set()

    def _at(self, t: float) -> int:
        return min(range(len(self.samples)), key=lambda i: abs(self.samples[i][0] - t))

    def window(self, start: float, end: float) -> dict:
        """Cores used by each party over [start, end] (nearest samples)."""
        if len(self.samples) < 2:
            return {}
        i, j = self._at(start), self._at(end)
        a, b = self.samples[i], self.samples[j]
        seconds = b[0] - a[0]
        if seconds <= 0:
            return {}
        pa, pb = self.part_samples[i], self.part_samples[j]
        return {
            "parts": {name: pb[name] - pa.get(name, 0.0) for name in pb},
            "seconds": seconds,
            "machine_busy": (b[1] - a[1]),
            "machine_total": (b[2] - a[2]),
            "server": b[3] - a[3],
            "db": b[4] - a[4],
            "generator": b[5] - a[5],
        }

    def db_window(self, start: float, end: float) -> dict:
        """PostgreSQL backends active and waiting on a lock over [start, end]."""
        rows = [r for r in self.db_samples if start <= r[0] <= end]
        if not rows:
            return {}
        return {
            "active_avg": sum(r[1] for r in rows) / len(rows),
            "lock_waiting_avg": sum(r[2] for r in rows) / len(rows),
            "lock_waiting_max": max(r[2] for r in rows),
        }


def postgres_probe(database_url: str) -> Callable[[], tuple[int, int]]:
    """A probe of pg_stat_activity for one database, on its own connection."""
    import psycopg

    parts = urlsplit(database_url)
    conn = psycopg.connect(
        urlunsplit(parts._replace(scheme="postgresql")), autocommit=True
    )
    name = parts.path.lstrip("/")

    def probe() -> tuple[int, int]:
        return conn.execute(
            "SELECT count(*) FILTER (WHERE state = 'active'),"
            " count(*) FILTER (WHERE wait_event_type = 'Lock')"
            " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()

    probe.close = conn.close  # type: ignore[attr-defined]
    return probe


# ---- gunicorn ------------------------------------------------------------------
def start_gunicorn(root: Path, env: dict, port: int, log_dir: Path) -> subprocess.Popen:
    env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "ACCESS_LOG": str(log_dir / "access.log"),
    }
    with open(log_dir / "gunicorn.log", "ab") as log:
        proc = subprocess.Popen(
            [
                GUNICORN,
                "-c",
                "gunicorn.conf.py",
                "quizsite.wsgi",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    deadline = time.time() + 60
    url = f"http://127.0.0.1:{port}/healthz"
    while time.time() < deadline:
        if proc.poll() is not None:
            log = log_dir / "gunicorn.log"
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    stop_process(proc)
    raise RuntimeError(f"gunicorn did not answer {url} within 60 s")


def children(pid: int) -> list[int]:
    """The pids of a process's children (Linux's /proc), none once it is gone."""
    try:
        return [
            int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except (OSError, ValueError):
        return []


def gunicorn_workers(proc: subprocess.Popen) -> int:
    return len(children(proc.pid))


# ---- PostgreSQL ----------------------------------------------------------------
def _su_postgres(command: str) -> None:
    subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", command],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def ensure_debian_package(binary: Path, package: str, alternative: str) -> None:
    """Install a Debian package with apt-get (as .ci/run does) if ``binary`` is
    missing; without root, say what to install instead."""
    if binary.exists():
        return
    if os.geteuid() != 0:
        raise RuntimeError(
            f"{binary} is missing: install {package} (apt-get) or {alternative}"
        )
    print(f"installing {package} (apt-get install {package})…", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )


def ensure_postgres_installed() -> None:
    ensure_debian_package(PG_BIN / "initdb", "postgresql-15", "give DATABASE_URL")


class PostgresCluster:
    """A throwaway PostgreSQL 15 cluster on loopback, as ``.ci/run`` starts one.

    Durable settings (fsync and synchronous_commit on), as a production server runs.
    ``stop(mode="immediate")`` is a crash: the next start replays the WAL.
    """

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        # A server URL without a database of ours.
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    @property
    def pid(self) -> int:
        """The postmaster's pid (a new one after each start)."""
        return int((self.directory / "data/postmaster.pid").read_text().split()[0])

    def start(self) -> None:
        _su_postgres(
            f"{PG_BIN}/pg_ctl -D '{self.directory}/data' -l '{self.directory}/log' -w "
            f"-o \"-c listen_addresses=127.0.0.1 -p {self.port} -k '{self.directory}' "
            '-c max_connections=200" start'
        )
        if os.nice(0) < 0:  # BENCH_NICE: the postmaster is a session of its own
            prioritize(self.pid, os.nice(0))

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c",
             f"{PG_BIN}/pg_ctl -D '{self.directory}/data' -m {mode} -w stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )  # fmt: skip


def start_postgres_cluster(cleanup: Cleanup) -> PostgresCluster:
    """Create and start a throwaway cluster, stopped and removed by ``cleanup``."""
    ensure_postgres_installed()
    if os.geteuid() != 0:
        raise RuntimeError("--pg needs root (initdb runs as the postgres user)")
    if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "postgres"], check=True
        )
    pg_dir = Path(
        subprocess.check_output(["mktemp", "-d", "/tmp/bench-pg.XXXXXX"])
        .decode()
        .strip()
    )
    cleanup.add("remove the PostgreSQL directory", lambda: shutil.rmtree(pg_dir, True))
    shutil.chown(pg_dir, "postgres")
    _su_postgres(
        f"{PG_BIN}/initdb -D '{pg_dir}/data' -A trust -U postgres -E UTF8 "
        "--locale=C.UTF-8"
    )
    cluster = PostgresCluster(pg_dir, free_port())
    cleanup.add("stop PostgreSQL", cluster.stop)
    cluster.start()
    return cluster


def postmaster_pid(port: int) -> int | None:
    """The PostgreSQL server listening on a loopback port (for its CPU time)."""
    import psutil

    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port:
                proc = psutil.Process(conn.pid)
                while proc.parent() and proc.parent().name().startswith("postgres"):
                    proc = proc.parent()
                return proc.pid
    except (psutil.AccessDenied, psutil.NoSuchProcess, TypeError):
        pass
    return None


def fresh_postgres_database(server_url: str, cleanup: Cleanup) -> str:
    """A new, empty database on the server of ``server_url``, dropped at exit.

    The database named in the URL is only used to connect: the benchmark never
    writes to it, so an existing database can't be clobbered.
    """
    import psycopg

    parts = urlsplit(server_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError("the benchmark's database must be on this machine")
    name = f"bench_cohort_{os.getpid()}_{int(time.time())}"
    conninfo = urlunsplit(parts._replace(scheme="postgresql"))
    try:
        conn = psycopg.connect(conninfo, autocommit=True)
    except psycopg.OperationalError:  # e.g. the database named doesn't exist yet
        conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        conn = psycopg.connect(conninfo, autocommit=True)
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    cleanup.add(f"drop database {name}", drop)
    return urlunsplit(parts._replace(path=f"/{name}"))


# ---- Redis and HAProxy (make bench-cohort NODES=2) ------------------------------
REDIS_SERVER = Path("/usr/bin/redis-server")
HAPROXY = Path("/usr/sbin/haproxy")


def start_redis(cleanup: Cleanup, log_dir: Path) -> tuple[subprocess.Popen, str]:
    """A throwaway redis-server on a free loopback port, nothing persisted; returns
    the process and its REDIS_URL. Stopped by ``cleanup``."""
    import redis

    ensure_debian_package(REDIS_SERVER, "redis-server", "run without NODES")
    port = free_port()
    with open(log_dir / "redis.log", "ab") as log:
        proc = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )  # fmt: skip
    cleanup.add("stop redis-server", lambda: stop_process(proc))
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.time() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"redis-server did not start: {log_dir}") from None
            time.sleep(0.1)
    client.close()
    return proc, f"redis://127.0.0.1:{port}/0"


# Fast health checks: a node that refuses connections is out after two failed
# checks (about 0.5-1 s). A busy node answers a check late, behind the requests its
# sync workers are serving (a check waits in the listen queue like any request),
# so the check timeout is gunicorn's worker timeout (30 s), far above a check's
# interval: with 0.5, 3 and 10 s, runs of NODES=2 on a busy machine had both nodes
# taken out at the peak of the logins (PBKDF2 queued for seconds), and every
# request refused with a 503. A dead node refuses the connection: that is seen at
# once, whatever the timeout; a hung one is out after two 30 s checks, when
# gunicorn itself would have killed its worker.
# A request refused by a dead node is retried (``retries``), each retry on another
# node (``option redispatch 1``); a request whose node
# died after taking it is retried on another only on an empty response, which is
# what a killed process leaves. The client retries the rest (a 502/503).
HAPROXY_CONFIG = """\
global
    maxconn 4096
    stats socket {sock} mode 600 level admin
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 90s
    timeout server 90s
    timeout queue 30s
    timeout check 30s
    retries 3
    option redispatch 1
frontend cohort
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    retry-on conn-failure empty-response
    option httpchk
    http-check send meth GET uri {check} ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server check inter 500ms fastinter 250ms downinter 1s fall 2 rise 2
{servers}
"""


# The health checks' URL: the query string tells them apart from the benchmark's
# own GET /healthz in the nodes' access logs (bench/report.py leaves them out).
HEALTH_CHECK = "/healthz?check=haproxy"


class HAProxy:
    """HAProxy round-robin over the nodes, with its stats socket."""

    def __init__(self, cleanup: Cleanup, directory: Path, nodes: dict[str, int]):
        ensure_debian_package(HAPROXY, "haproxy", "run without NODES")
        self.port = free_port()
        self.sock = directory / "haproxy.sock"
        config = directory / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(
                sock=self.sock,
                port=self.port,
                check=HEALTH_CHECK,
                servers="\n".join(
                    f"    server {name} 127.0.0.1:{port}"
                    for name, port in nodes.items()
                ),
            )
        )
        with open(directory / "haproxy.log", "ab") as log:
            self.proc = subprocess.Popen(
                [str(HAPROXY), "-f", str(config), "-db"],
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        cleanup.add("stop haproxy", lambda: stop_process(self.proc))
        deadline = time.time() + 20
        while not self._all_up(len(nodes)):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"haproxy did not start; see {directory}")
            time.sleep(0.1)

    def _all_up(self, count: int) -> bool:
        servers = self.servers()
        return len(servers) == count and all(
            s["status"] == "UP" for s in servers.values()
        )

    def stats(self) -> list[dict]:
        """The rows of ``show stat`` (CSV), one per proxy, server and backend."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.sock))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [line.split(",") for line in lines[1:] if line]
        return [dict(zip(header, row, strict=False)) for row in rows]

    def servers(self) -> dict[str, dict]:
        """Per node: status, requests sent (stot), 2xx/5xx, retries, redispatches."""
        try:
            rows = self.stats()
        except OSError:
            return {}
        return {
            r["svname"]: r
            for r in rows
            if r["pxname"] == "nodes" and r["svname"] not in ("BACKEND", "FRONTEND")
        }
