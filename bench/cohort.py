"""The cohort benchmark: a whole cohort sits the comprehensive exam at once.

    make bench-cohort                          # 500 trainees, fresh SQLite database
    make bench-cohort TRAINEES=10              # the smoke run CI makes
    make bench-cohort BENCH_PG=1               # a throwaway PostgreSQL 15 cluster
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x make bench-cohort
                                               # a fresh database on that server
    make bench-cohort NODES=2 TRAINEES=100     # two nodes behind HAProxy, one
                                               # killed halfway through the sitting

Starts gunicorn (production settings, plain HTTP on loopback) against a fresh
database, creates the trainees, then runs four phases with locust's FastHttpUser
(``bench/loadgen.py``) and wrk on the same server:

1. baseline: GET /healthz in a closed loop, through locust: the generator's ceiling;
2. the same through wrk, if installed: what the server itself can do;
3. the cohort: N trainees log in (real PBKDF2 logins, ramped at LOGIN_RATE/s), all
   start the 40-question exam within a BURST-second window, save every answer with
   THINK seconds of think time, change CHANGES answers, submit. With PREPARED=1
   (the default) their attempts were prepared before the server started
   (``manage.py prepare_attempts``, as before a scheduled exam), so each start is
   one UPDATE; PREPARED=0 measures the unprepared start (a draw and two inserts);
4. answer-save capacity: CAPACITY_USERS of them start a second attempt and save in
   a closed loop for BENCH_SECONDS: the counterpart of the baseline.

NODES=2 runs the topology of docs/scaling.md on loopback: a throwaway PostgreSQL
(unless DATABASE_URL is given), redis-server for the cache and the sessions
(REDIS_URL), two gunicorn nodes on their own ports and HAProxy round-robin in
front of them with health checks on /healthz (haproxy and redis-server are
installed with apt-get if missing). Halfway through the sitting one node is
killed (SIGKILL to its whole process group: a machine lost); HAProxy takes it
out, the trainees retry what failed (a 5xx or no answer, as the attempt page
does) and carry on through the other node. The report adds the requests each
node served, the failover (the failed tries after the kill, when HAProxy marked
the node down, the last failure) and each node's CPU per request.

It prints, per phase and endpoint, requests, throughput and p50/p95/p99 latency as
the client saw it and as gunicorn's access log timed it, the CPU split between
generator, server and database, and then audits the database: every acknowledged
save must be stored with its last acknowledged value, every score must equal a
recomputation. Exits 1 on any error, lost answer or score mismatch.

Environment: TRAINEES (500), DATABASE_URL, BENCH_PG=1, NODES (1), PREPARED (1),
WEB_CONCURRENCY (gunicorn's workers per node, default 2 × cores + 1), LOGIN_RATE
(5), THINK ("1-3"), BURST (10), CHANGES (8), BENCH_SECONDS (10), CAPACITY_USERS
(min(TRAINEES, 50)), BENCH_KEEP=1 keeps the temporary directory (logs, raw
samples), BENCH_NICE=-10 runs everything ahead of other jobs on a shared machine
(root only). Fewer than 50 trainees is a smoke run:
think time 0.05-0.2 s, a 2 s burst and 3 s phases, unless set explicitly.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import procs
import report
import stage
from stage import PREFIX, PYTHON, ROOT, SLUG, say

SAVE = "PUT /api/attempts/[id]/answers/[qid]"
START = "POST /api/quizzes/[slug]/attempts"
SUBMIT = "POST /api/attempts/[id]/submit"
HEALTHZ = "GET /healthz"
LOGIN_POST = "POST /accounts/login/"
env_num = stage.env_num


def options() -> argparse.Namespace:
    opts = stage.options("The cohort load benchmark (see the module docstring).", 500)
    smoke = opts.trainees < 50
    opts.smoke = smoke
    think = os.environ.get("THINK", "").strip() or ("0.05-0.2" if smoke else "1-3")
    low, _, high = think.partition("-")
    opts.think = (float(low), float(high or low))
    opts.burst = env_num("BURST", 2.0 if smoke else 10.0)
    opts.changes = env_num("CHANGES", 8, int)
    opts.seconds = env_num("BENCH_SECONDS", 3.0 if smoke else 10.0)
    opts.login_rate = env_num("LOGIN_RATE", 5.0)
    opts.capacity_users = env_num("CAPACITY_USERS", min(opts.trainees, 50), int)
    opts.capacity_users = min(opts.capacity_users, opts.trainees)
    opts.nice = env_num("BENCH_NICE", 0, int)
    opts.nodes = env_num("NODES", 1, int)
    opts.prepared = env_num("PREPARED", 1, int) != 0
    if opts.nodes < 1:
        raise SystemExit("NODES must be at least 1")
    if opts.nodes > 1 and not opts.database_url:
        opts.pg = True  # nodes share one database: SQLite is one machine's file
    return opts


class Bench:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.cleanup = procs.Cleanup()
        self.sampler = procs.CpuSampler()
        self.loadgen: subprocess.Popen | None = None
        self.results: dict = {"phases": {}}
        self.nodes: dict[str, subprocess.Popen] = {}
        self.access_logs: dict[str, Path] = {}
        self.haproxy: procs.HAProxy | None = None
        self.failover: dict = {}

    # ---- setup ------------------------------------------------------------------
    def prepare(self) -> None:
        self.site = stage.prepare_site(self.opts, self.cleanup, "bench-cohort")
        self.tmp, self.env = self.site.tmp, self.site.env
        self.password, self.db_label = self.site.password, self.site.db_label
        self.sampler.db_pid = self.site.db_pid
        self.results["hasher"] = self.site.hasher
        self.results["prepared"] = self.opts.prepared
        if self.opts.prepared:
            # As an instructor would before a scheduled exam: every trainee's
            # attempt drawn ahead, so that each start of the burst is one UPDATE.
            # Phase 4's second attempts are not prepared: they start the long way.
            stage.run(
                [PYTHON, "manage.py", "prepare_attempts", "--quiz", SLUG],
                self.env,
                f"prepare_attempts ({self.opts.trainees} trainees)",
            )

    def quiet_check(self) -> None:
        """Warn when something else keeps the machine busy: it skews every figure."""
        self.sampler.sample()
        time.sleep(2)
        self.sampler.sample()
        a, b = self.sampler.samples[-2:]
        busy = (b[1] - a[1]) / (b[0] - a[0])
        self.results["busy_before"] = busy
        say(f"  machine busy before the run: {busy:.2f} cores")
        if busy > 0.25:
            say(
                "  WARNING: other processes are using the CPU; the figures will be "
                "lower than on an idle machine"
            )

    def serve(self) -> None:
        if self.opts.nodes > 1:
            self.serve_nodes()
        else:
            self.port = procs.free_port()
            self.host = f"http://127.0.0.1:{self.port}"
            self.access_logs = {"gunicorn": self.tmp / "access.log"}
            started = time.time()
            self.gunicorn = procs.start_gunicorn(ROOT, self.env, self.port, self.tmp)
            self.nodes = {"gunicorn": self.gunicorn}
            self.cleanup.add("stop gunicorn", lambda: procs.stop_process(self.gunicorn))
            time.sleep(1)  # let every worker finish booting
            self.workers = procs.gunicorn_workers(self.gunicorn)
            say(
                f"  gunicorn: {self.workers} sync workers on {self.host} "
                f"({time.time() - started:.1f}s)"
            )
            self.sampler.server_pid = self.gunicorn.pid
        if self.env["DATABASE_URL"].startswith("postgres"):
            probe = procs.postgres_probe(self.env["DATABASE_URL"])
            self.cleanup.add("close the PostgreSQL probe", probe.close)
            self.sampler.db_probe = probe
        self.sampler.start()
        self.cleanup.add("stop the CPU sampler", self.sampler.stop)

    def serve_nodes(self) -> None:
        """Redis, the gunicorn nodes (REDIS_URL set), HAProxy in front of them."""
        started = time.time()
        redis, self.env["REDIS_URL"] = procs.start_redis(self.cleanup, self.tmp)
        self.sampler.parts["redis"] = redis.pid
        say(f"  redis-server: {self.env['REDIS_URL']} (cache and sessions)")
        ports = {}
        for number in range(1, self.opts.nodes + 1):
            name = f"node{number}"
            log_dir = self.tmp / name
            log_dir.mkdir()
            ports[name] = procs.free_port()
            proc = procs.start_gunicorn(ROOT, self.env, ports[name], log_dir)
            self.nodes[name] = proc
            self.access_logs[name] = log_dir / "access.log"
            self.cleanup.add(f"stop {name}", lambda p=proc: procs.stop_process(p))
            self.sampler.parts[name] = proc.pid
            self.sampler.nodes.add(name)
        time.sleep(1)  # let every worker finish booting
        workers = {n: procs.gunicorn_workers(p) for n, p in self.nodes.items()}
        self.workers = max(workers.values())
        self.haproxy = procs.HAProxy(self.cleanup, self.tmp, ports)
        self.sampler.parts["haproxy"] = self.haproxy.proc.pid
        self.port = self.haproxy.port
        self.host = f"http://127.0.0.1:{self.port}"
        for name, port in ports.items():
            say(f"  {name}: gunicorn, {workers[name]} sync workers on port {port}")
        say(
            f"  haproxy: round-robin on {self.host}, health checks GET /healthz "
            f"every 0.5 s ({time.time() - started:.1f}s)"
        )
        self.gunicorn = None

    def stop_nodes(self) -> None:
        for proc in self.nodes.values():
            procs.stop_process(proc)

    def haproxy_counts(self) -> dict[str, int]:
        """Requests HAProxy has sent to each node so far (its stot)."""
        if self.haproxy is None:
            return {}
        return {n: int(r["stot"]) for n, r in self.haproxy.servers().items()}

    def kill_halfway(self, open_file: Path) -> None:
        """Kill the last node halfway through the sitting, then time HAProxy."""
        o, fo = self.opts, self.failover
        while not open_file.exists():
            if self.loadgen is not None and self.loadgen.poll() is not None:
                return
            time.sleep(0.05)
        time.sleep(0.1)
        opened = json.loads(open_file.read_text())["open"]
        fo["counts_at_open"] = self.haproxy_counts()
        fo["snapshot_at_open"] = time.time()
        # The sitting lasts about the burst plus one pass and the changes.
        expected = o.burst + (40 + o.changes + 1) * sum(o.think) / 2
        kill_at = opened + expected / 2
        while time.time() < kill_at:
            if self.loadgen.poll() is not None:
                return
            time.sleep(0.05)
        name = list(self.nodes)[-1]
        fo["node"] = name
        fo["open"] = opened
        fo["counts_before"] = self.haproxy_counts()
        fo["killed"] = time.time()
        os.killpg(self.nodes[name].pid, signal.SIGKILL)
        say(f"  [failover] kill -9 {name} (its whole process group)")
        deadline = fo["killed"] + 30
        while time.time() < deadline:
            status = self.haproxy.servers().get(name, {}).get("status", "")
            if status.startswith("DOWN"):
                fo["down"] = time.time()
                say(
                    f"  [failover] haproxy marked {name} DOWN after "
                    f"{fo['down'] - fo['killed']:.2f}s"
                )
                break
            time.sleep(0.02)
        fo["counts_after"] = self.haproxy_counts()

    def haproxy_retries(self) -> dict[str, dict[str, int]]:
        """HAProxy's own retries and redispatches, and the 5xx it passed on or made
        (503: no node up), per node since it started."""
        keys = {"retries": "wretr", "redispatches": "wredis", "5xx": "hrsp_5xx"}
        return {
            n: {k: int(r[v] or 0) for k, v in keys.items()}
            for n, r in self.haproxy.servers().items()
        }

    # ---- phases -----------------------------------------------------------------
    def log_offsets(self) -> dict[str, int]:
        time.sleep(0.3)  # gunicorn logs a request after answering it
        return {
            name: path.stat().st_size if path.exists() else 0
            for name, path in self.access_logs.items()
        }

    def read_logs(self, offsets: dict[str, int]) -> dict[str, list[tuple]]:
        """Each node's access-log rows since ``offsets``."""
        ends = self.log_offsets()
        return {
            name: report.read_access_log(path, offsets[name], ends[name])
            if path.exists()
            else []
            for name, path in self.access_logs.items()
        }

    def loadgen_phase(self, mode: str, extra: dict) -> dict:
        cfg = {
            "mode": mode,
            "host": self.host,
            "slug": SLUG,
            "password": self.password,
            "out": str(self.tmp / f"{mode}.json"),
            "progress_every": 2 if self.opts.smoke else 10,
            "max_requests_per_user": 100_000,
            # Two nodes: a trainee retries what a lost node failed, as the page does.
            "retry": self.opts.nodes > 1,
            **extra,
        }
        cfg_path = self.tmp / f"{mode}-config.json"
        cfg_path.write_text(json.dumps(cfg))
        offsets = self.log_offsets()
        counts_before = self.haproxy_counts()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.loadgen = subprocess.Popen(
            [PYTHON, str(ROOT / "bench/loadgen.py"), str(cfg_path)],
            cwd=ROOT,
            env={k: v for k, v in self.env.items() if k != "DATABASE_URL"},
            process_group=0,
        )
        self.cleanup.add(
            f"stop the {mode} generator", lambda: procs.stop_process(self.loadgen)
        )
        self.sampler.set_generator(self.loadgen.pid)
        killer = None
        if mode == "cohort" and self.opts.nodes > 1:
            killer = threading.Thread(
                target=self.kill_halfway, args=(Path(cfg["open_file"]),), daemon=True
            )
            killer.start()
        try:
            code = self.loadgen.wait(cfg["timeout"] + 60)
        except subprocess.TimeoutExpired:
            procs.stop_process(self.loadgen)
            raise RuntimeError(f"the {mode} generator overran its time limit") from None
        if killer is not None:
            killer.join(35)
        self.sampler.set_generator(None)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code != 0:
            raise RuntimeError(f"the {mode} generator exited with {code}")
        data = json.loads(Path(cfg["out"]).read_text())
        data["generator_cpu"] = (after.ru_utime + after.ru_stime) - (
            before.ru_utime + before.ru_stime
        )
        data["node_rows"] = self.read_logs(offsets)
        data["server_rows"] = [r for rows in data["node_rows"].values() for r in rows]
        after = self.haproxy_counts()
        data["haproxy"] = {n: after[n] - counts_before.get(n, 0) for n in after}
        return data

    def phase_healthz(self) -> None:
        k, s = self.opts.capacity_users, self.opts.seconds
        say(
            f"\nphase 1/4 baseline: GET /healthz, {k} locust users, closed loop, {s:g}s"
        )
        data = self.loadgen_phase(
            "healthz", {"users": k, "seconds": s, "timeout": s + 60}
        )
        w = data["window"]
        self.record("healthz", data, {"all": (w["t0"], w["end"])})

    def phase_wrk(self) -> None:
        k, s = self.opts.capacity_users, self.opts.seconds
        wrk = shutil.which("wrk")
        if wrk is None:
            say("\nphase 2/4 wrk: skipped, not installed (apt-get install wrk)")
            return
        say(
            f"\nphase 2/4 baseline: GET /healthz, wrk, 1 thread, {k} connections, "
            f"{s:g}s"
        )
        offsets = self.log_offsets()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        proc = subprocess.Popen(
            [wrk, "-t1", f"-c{k}", f"-d{math.ceil(s)}s", "--latency",
             f"{self.host}/healthz"],
            stdout=subprocess.PIPE,
            text=True,
            process_group=0,
        )  # fmt: skip
        self.cleanup.add("stop wrk", lambda: procs.stop_process(proc))
        self.sampler.set_generator(proc.pid)
        out, _ = proc.communicate(timeout=s + 60)
        ended = time.time()
        self.sampler.set_generator(None)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rps = float(out.split("Requests/sec:")[1].split()[0])
        lat = {}
        for line in out.split("Latency Distribution")[-1].splitlines()[1:5]:
            parts = line.split()
            if len(parts) == 2:
                lat[parts[0]] = parts[1]
        requests = int(out.split(" requests in ")[0].split()[-1])
        problems = [
            line.strip()
            for line in out.splitlines()
            if "errors" in line or "Non-2xx" in line
        ]
        rows = [r for rows in self.read_logs(offsets).values() for r in rows]
        cpu = self.sampler.window(started, ended)
        self.results["phases"]["wrk"] = {
            "requests": requests,
            "rps": rps,
            "latency": lat,
            "problems": problems,
            "generator_cpu": (after.ru_utime + after.ru_stime)
            - (before.ru_utime + before.ru_stime),
            "server": report.server_stats(rows),
            "cpu": cpu,
        }
        self.print_cpu("wrk", cpu)
        say(f"  wrk: {requests} requests, {rps:.0f} req/s, latency {lat}")
        for line in problems:
            say(f"  wrk: {line}")

    def phase_cohort(self) -> None:
        o = self.opts
        sitting = (40 + o.changes + 1) * o.think[1] * 1.5 + 60
        timeout = o.trainees / o.login_rate * 3 + o.burst + sitting + 60
        say(
            f"\nphase 3/4 the cohort: {o.trainees} trainees log in at "
            f"{o.login_rate:g}/s, "
            f"start within {o.burst:g}s, think {o.think[0]:g}-{o.think[1]:g}s, "
            f"change {o.changes} answers, submit"
        )
        data = self.loadgen_phase(
            "cohort",
            {
                "usernames": [f"{PREFIX}{i:04d}" for i in range(1, o.trainees + 1)],
                "spawn_rate": o.login_rate,
                "burst": o.burst,
                "think": list(o.think),
                "changes": o.changes,
                "timeout": timeout,
                "open_file": str(self.tmp / "cohort-open.json"),
            },
        )
        w = data["window"]
        self.record(
            "cohort",
            data,
            {
                "logins": (w["t0"], w["open"]),
                "burst": (w["open"], w["open"] + o.burst),
                "after burst": (w["open"] + o.burst, w["end"]),
                "all": (w["t0"], w["end"]),
            },
        )
        self.cohort_results = data["results"]

    def phase_saves(self) -> None:
        o = self.opts
        users = [r for r in self.cohort_results if r.get("cookies")][: o.capacity_users]
        say(
            f"\nphase 4/4 answer-save capacity: {len(users)} trainees start a second "
            f"attempt, then save with no think time for {o.seconds:g}s"
        )
        data = self.loadgen_phase(
            "saves",
            {
                "usernames": [r["username"] for r in users],
                "cookies": {r["username"]: r["cookies"] for r in users},
                "seconds": o.seconds,
                "timeout": o.seconds + 120,
            },
        )
        w = data["window"]
        self.record(
            "saves",
            data,
            {
                "starts": (w["t0"], w["open"]),
                "closed loop": (w["open"], w["open"] + o.seconds),
                "submits": (w["open"] + o.seconds, w["end"]),
                "all": (w["t0"], w["end"]),
            },
        )

    def record(self, phase: str, data: dict, windows: dict) -> None:
        client = report.client_stats(data["samples"])
        # A request of the phase before may be logged just after the boundary.
        server = report.server_stats(
            [row for row in data["server_rows"] if row[0] in client]
        )
        cpu = {name: self.sampler.window(a, b) for name, (a, b) in windows.items()}
        counts = {
            name: count_in(data["samples"], a, b) for name, (a, b) in windows.items()
        }
        self.results["phases"][phase] = {
            "client": client,
            "server": server,
            "cpu": cpu,
            "counts": counts,
            "window": data["window"],
            "problems": data["problems"],
            "counters": data["counters"],
            "timed_out": data["timed_out"],
            "generator_cpu": data["generator_cpu"],
            "generator_self_cpu": data["cpu_seconds"],
            "retries": data.get("retries", []),
            "haproxy": data.get("haproxy", {}),
            "node_rows": {
                name: report.server_stats(rows)
                for name, rows in data.get("node_rows", {}).items()
            },
        }
        self.raw = getattr(self, "raw", {})
        self.raw[phase] = data
        for line in report.table(client, server):
            say(line)
        if self.opts.nodes > 1:
            for name, rows in data["node_rows"].items():
                say(
                    f"  {name}: {len(rows)} requests in its access log, "
                    f"{data['haproxy'].get(name, 0)} sent by haproxy"
                )
        for name in windows:
            self.print_cpu(f"{phase}/{name}", cpu[name])
        waits = {n: self.sampler.db_window(a, b) for n, (a, b) in windows.items()}
        self.results["phases"][phase]["db_waits"] = waits
        for name, w in waits.items():
            if w:
                say(
                    f"  PostgreSQL {phase}/{name}: backends active "
                    f"{w['active_avg']:.1f} on average, waiting on a lock "
                    f"{w['lock_waiting_avg']:.1f} "
                    f"(max {w['lock_waiting_max']})"
                )
        for text in data["problems"][:10]:
            say(f"  problem: {text}")

    def print_cpu(self, label: str, cpu: dict) -> None:
        if not cpu:
            return
        s = cpu["seconds"]
        parts = cpu.get("parts", {})
        other = cpu["machine_busy"] - cpu["generator"] - cpu["server"] - cpu["db"]
        other -= sum(v for k, v in parts.items() if k not in self.sampler.nodes)
        split = "".join(f", {k} {v / s:4.2f}" for k, v in parts.items())
        say(
            f"  CPU {label:22} ({s:5.1f}s) in cores: generator "
            f"{cpu['generator'] / s:4.2f}, gunicorn {cpu['server'] / s:4.2f}"
            f"{' (' + split[2:] + ')' if split else ''}, "
            f"database {cpu['db'] / s:4.2f}, other {other / s:4.2f}, "
            f"idle {(cpu['machine_total'] - cpu['machine_busy']) / s:4.2f}"
        )

    # ---- after the run --------------------------------------------------------
    def audit(self) -> dict:
        acks, results = [], []
        for phase in ("cohort", "saves"):
            data = self.raw.get(phase)
            if data:
                acks += data["acks"]
                results += data["results"]
        path = self.tmp / "acks.json"
        path.write_text(json.dumps({"acks": acks, "results": results}))
        return self.site.audit(path)

    def summary(self, audit: dict) -> int:
        phases = self.results["phases"]
        say("\n==== summary ====")
        say(
            f"machine: {multiprocessing.cpu_count()} cores; database: {self.db_label}; "
            f"gunicorn: {self.workers} sync workers"
            + (f" on each of {self.opts.nodes} nodes" if self.opts.nodes > 1 else "")
            + f"; trainees: {self.opts.trainees}"
        )
        errors = sum(
            c["errors"] for p in ("healthz", "cohort", "saves") if p in phases
            for c in phases[p]["client"].values()
        )  # fmt: skip
        errors += sum(
            1
            for p in ("healthz", "cohort", "saves")
            if phases.get(p, {}).get("timed_out")
        )
        statuses_5xx = sum(
            n
            for p in phases.values()
            for s in p.get("server", {}).values()
            for code, n in s["statuses"].items()
            if int(code) >= 500
        )
        healthz = phases["healthz"]["client"].get(HEALTHZ, {}).get("rps", math.nan)
        loop_saves = phases["saves"]["counts"]["closed loop"].get(SAVE, 0)
        save_rps = loop_saves / self.opts.seconds
        wrk = phases.get("wrk", {}).get("rps")
        cohort = phases["cohort"]["client"]
        start_p95 = cohort.get(START, {}).get("ms", [math.nan] * 3)[1]
        save_p95 = cohort.get(SAVE, {}).get("ms", [math.nan] * 3)[1]
        costs = self.costs()
        self.results["derived"] = {
            "healthz_rps_locust": healthz,
            "healthz_rps_wrk": wrk,
            "save_capacity_rps": save_rps,
            "ratio_vs_locust": save_rps / healthz,
            "ratio_vs_wrk": save_rps / wrk if wrk else None,
            "errors": errors,
            "server_5xx": statuses_5xx,
            "costs_ms": costs,
        }
        wrk_text = f", wrk {wrk:.0f} req/s" if wrk else ", wrk skipped"
        say(f"baseline GET /healthz: locust {healthz:.0f} req/s{wrk_text}")
        users = len(self.raw["saves"]["results"])
        say(
            f"answer-save capacity (closed loop, {users} users): {save_rps:.0f} "
            f"saves/s = {save_rps / healthz:.0%} of the locust baseline"
            + (f", {save_rps / wrk:.0%} of wrk's" if wrk else "")
        )
        offered = cohort.get(SAVE, {}).get("rps", 0)
        say(
            f"answer saves during the sitting: {offered:.0f}/s "
            f"(offered by {self.opts.trainees} trainees with think time)"
        )
        say("server CPU per request (ms, gunicorn + database):")
        for name, value in costs.items():
            say(f"  {name:28} {value[0]:6.2f} + {value[1]:5.2f}")
        say(f"  a save costs {self.save_cost(costs):.1f} GET /healthz")
        say(f"errors: {errors} (5xx in the access log: {statuses_5xx})")
        say(
            f"audit: {audit['attempts']} attempts ({audit['unfinished']} unfinished), "
            f"{audit['acks']} acknowledged saves of {audit['acked_answers']} answers; "
            "scores the client saw that differ from the stored ones: "
            f"{audit['client_score_disagreements']}"
        )
        say(f"lost answers: {audit['lost_answers']}")
        say(f"score mismatches: {audit['score_mismatches']}")
        for example in audit["lost_examples"] + audit["mismatch_examples"]:
            say(f"  {example}")
        clean = not (
            errors
            or statuses_5xx
            or audit["lost_answers"]
            or audit["score_mismatches"]
            or audit["unfinished"]
            or audit["client_score_disagreements"]
        )
        prepared = "prepared" if self.opts.prepared else "unprepared"
        save_cost = self.save_cost(costs)
        targets = [
            ("no errors, lost answers or score mismatches", clean),
            (f"start-attempt p95 (burst, {prepared}) < 300 ms ({start_p95:.0f})",
             start_p95 < 300),
            (f"answer-save p95 < 100 ms ({save_p95:.0f})", save_p95 < 100),
            (
                f"save capacity >= 40% of the baseline ({save_rps / healthz:.0%})",
                save_rps / healthz >= 0.40,
            ),
            (f"save CPU <= 2.5 x /healthz's, database included ({save_cost:.1f})",
             save_cost <= 2.5),
        ]  # fmt: skip
        if self.opts.nodes > 1:
            failover_ok = self.nodes_summary()
            targets.append(
                (
                    "failover: a node killed, taken out by haproxy, no call failed "
                    "for good",
                    failover_ok and not errors,
                )
            )
            clean = clean and failover_ok
        self.results["targets"] = targets
        say("targets (client-side latencies):")
        for text, met in targets:
            say(f"  {'met ' if met else 'MISS'}  {text}")
        self.results["audit"] = audit
        # Latency and throughput targets are reported; correctness decides the exit.
        return 0 if clean else 1

    def nodes_summary(self) -> bool:
        """The requests each node served, the failover, each node's CPU per
        request; False if no node was killed or haproxy never took it out."""
        phases, fo = self.results["phases"], self.failover
        names = list(self.nodes)
        say("nodes: requests served (access log / sent by haproxy), per phase:")
        for phase in ("healthz", "wrk", "cohort", "saves"):
            p = phases.get(phase)
            if not p or "node_rows" not in p:
                continue
            served = ", ".join(
                f"{n} {sum(r['requests'] for r in p['node_rows'][n].values())}"
                f"/{p['haproxy'].get(n, 0)}"
                for n in names
            )
            say(f"  {phase:8} {served}")
        out: dict = {"nodes": names}
        self.results["nodes"] = out
        if "killed" not in fo:
            say("failover: NO node was killed (the sitting ended first)")
            return False
        killed, node = fo["killed"], fo["node"]
        survivors = [n for n in names if n != node]
        samples = self.raw["cohort"]["samples"]
        failed = [
            r for r in samples if r[4] is not None and r[1] + r[2] / 1000 >= killed
        ]
        ok_after = [
            r[1] + r[2] / 1000 for r in samples if r[4] is None and r[1] >= killed
        ]
        statuses: dict[int, int] = {}
        for r in failed:
            statuses[r[3]] = statuses.get(r[3], 0) + 1
        down = fo.get("down")
        out["failover"] = {
            "node": node,
            "killed_after_open_s": killed - fo["open"],
            "down_after_s": down - killed if down else None,
            "failed_tries": len(failed),
            "failed_statuses": statuses,
            "not_retried": sum(1 for r in failed if "retried:" not in r[4]),
            "first_success_s": min(ok_after) - killed if ok_after else None,
            "last_failure_s": max(r[1] + r[2] / 1000 for r in failed) - killed
            if failed
            else 0.0,
        }
        f = out["failover"]
        f["haproxy"] = self.haproxy_retries()
        say(
            f"failover: kill -9 {node} {f['killed_after_open_s']:.0f}s after the "
            f"exam opened; haproxy marked it DOWN after "
            + (f"{f['down_after_s']:.2f}s" if down else "NEVER")
        )
        say(
            f"  first success after the kill (through "
            f"{', '.join(survivors)}): +{f['first_success_s'] or math.nan:.3f}s; "
            f"failed tries after the kill: {f['failed_tries']} "
            f"(by status, 0 = no answer: {f['failed_statuses']}), the last ending at "
            f"+{f['last_failure_s']:.2f}s; retried and then answered: "
            f"{f['failed_tries'] - f['not_retried']}"
        )
        say(f"  haproxy's own retries, redispatches and 5xx per node: {f['haproxy']}")
        # CPU per request, per node.
        costs: dict[str, dict] = {}

        def per(label: str, cpu: dict, counts: dict[str, int]) -> None:
            row = {}
            for name, n in counts.items():
                if n and name in cpu.get("parts", {}):
                    row[name] = cpu["parts"][name] * 1000 / n
            costs[label] = row

        hz = phases["healthz"]
        per(
            "GET /healthz",
            hz["cpu"]["all"],
            {n: hz["node_rows"][n].get(HEALTHZ, {}).get("requests", 0) for n in names},
        )
        total_hz = sum(hz["haproxy"].values())
        for part in ("haproxy", "redis"):
            used = hz["cpu"]["all"].get("parts", {}).get(part)
            if used is not None and total_hz:
                costs["GET /healthz"][part] = used * 1000 / total_hz
        sitting = self.sampler.window(fo["snapshot_at_open"], killed)
        per(
            "sitting before the kill (starts, saves)",
            sitting,
            {n: fo["counts_before"][n] - fo["counts_at_open"][n] for n in names},
        )
        sitting_total = sum(
            fo["counts_before"][n] - fo["counts_at_open"][n] for n in names
        )
        for part in ("haproxy", "redis"):
            used = sitting.get("parts", {}).get(part)
            if used is not None and sitting_total:
                costs["sitting before the kill (starts, saves)"][part] = (
                    used * 1000 / sitting_total
                )
        sv = phases["saves"]
        per(
            "save answer (closed loop, survivor)",
            sv["cpu"]["closed loop"],
            {n: sv["counts"]["closed loop"].get(SAVE, 0) for n in survivors},
        )
        out["cpu_ms_per_request"] = costs
        say("CPU per request, per node (ms; gunicorn only, the database apart):")
        for label, row in costs.items():
            text = ", ".join(f"{k} {v:.2f}" for k, v in row.items())
            say(f"  {label:40} {text}")
        return down is not None

    @staticmethod
    def save_cost(costs: dict[str, tuple[float, float]]) -> float:
        """A save's server CPU (gunicorn + database) in /healthz requests."""
        healthz, save = costs.get("GET /healthz"), costs.get("save answer")
        if not healthz or not save or not sum(healthz):
            return math.nan
        return sum(save) / sum(healthz)

    def costs(self) -> dict[str, tuple[float, float]]:
        """Server and database CPU ms per request, from single-request-kind windows."""
        phases = self.results["phases"]
        out = {}

        def per(phase: str, window: str, names: list[str], label: str) -> None:
            p = phases.get(phase)
            if not p or not p["cpu"].get(window):
                return
            n = sum(p["counts"][window].get(name, 0) for name in names)
            if n:
                cpu = p["cpu"][window]
                out[label] = (cpu["server"] * 1000 / n, cpu["db"] * 1000 / n)

        per("healthz", "all", [HEALTHZ], "GET /healthz")
        per("cohort", "logins", [LOGIN_POST], "login (GET form + POST)")
        per("saves", "starts", [START], "start attempt")
        per("saves", "closed loop", [SAVE], "save answer")
        per("saves", "submits", [SUBMIT], "submit")
        wrk = phases.get("wrk")
        if wrk and wrk.get("cpu"):
            out["GET /healthz (wrk)"] = (
                wrk["cpu"]["server"] * 1000 / wrk["requests"],
                wrk["cpu"]["db"] * 1000 / wrk["requests"],
            )
        return out


def count_in(samples: list[list], start: float, end: float) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, t, *_ in samples:
        if start <= t < end:
            counts[name] = counts.get(name, 0) + 1
    return counts


def main() -> int:
    opts = options()
    bench = Bench(opts)
    if opts.nice:
        # On a shared machine: run the server, the database and the generator
        # ahead of other jobs (every child inherits it). Negative needs root.
        try:
            os.nice(opts.nice)
            grouped = procs.prioritize("self", opts.nice)
            say(
                f"running at nice {os.nice(0)}"
                + (" (and so does this session's autogroup)" if grouped else "")
            )
        except OSError as exc:
            say(f"BENCH_NICE={opts.nice} ignored: {exc}")

    def body() -> int:
        bench.prepare()
        bench.quiet_check()
        bench.serve()
        bench.phase_healthz()
        bench.phase_wrk()
        bench.phase_cohort()
        bench.phase_saves()
        bench.stop_nodes()
        bench.sampler.stop()
        audit = bench.audit()
        code = bench.summary(audit)
        bench.results["cpu_timeline"] = bench.sampler.samples
        if opts.json:
            Path(opts.json).write_text(json.dumps(bench.results, indent=1, default=str))
        return code

    return stage.main("bench-cohort", body, bench.cleanup)


if __name__ == "__main__":
    sys.exit(main())
