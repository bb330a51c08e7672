"""The cohort benchmark: a whole cohort sits the comprehensive exam at once.

    make bench-cohort                          # 500 trainees, fresh SQLite database
    make bench-cohort TRAINEES=10              # the smoke run CI makes
    make bench-cohort BENCH_PG=1               # a throwaway PostgreSQL 15 cluster
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x make bench-cohort
                                               # a fresh database on that server

Starts gunicorn (production settings, plain HTTP on loopback) against a fresh
database, creates the trainees, then runs four phases with locust's FastHttpUser
(``bench/loadgen.py``) and wrk on the same server:

1. baseline: GET /healthz in a closed loop, through locust: the generator's ceiling;
2. the same through wrk, if installed: what the server itself can do;
3. the cohort: N trainees log in (real PBKDF2 logins, ramped at LOGIN_RATE/s), all
   start the 40-question exam within a BURST-second window, save every answer with
   THINK seconds of think time, change CHANGES answers, submit;
4. answer-save capacity: CAPACITY_USERS of them start a second attempt and save in
   a closed loop for BENCH_SECONDS: the counterpart of the baseline.

It prints, per phase and endpoint, requests, throughput and p50/p95/p99 latency as
the client saw it and as gunicorn's access log timed it, the CPU split between
generator, server and database, and then audits the database: every acknowledged
save must be stored with its last acknowledged value, every score must equal a
recomputation. Exits 1 on any error, lost answer or score mismatch.

Environment: TRAINEES (500), DATABASE_URL, BENCH_PG=1, WEB_CONCURRENCY (gunicorn's
default 2 × cores + 1), LOGIN_RATE (5), THINK ("1-3"), BURST (10), CHANGES (8),
BENCH_SECONDS (10), CAPACITY_USERS (min(TRAINEES, 50)), BENCH_KEEP=1 keeps the
temporary directory (logs, raw samples), BENCH_NICE=-10 runs everything ahead of
other jobs on a shared machine (root only). Fewer than 50 trainees is a smoke run:
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
import subprocess
import sys
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
    return opts


class Bench:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.cleanup = procs.Cleanup()
        self.sampler = procs.CpuSampler()
        self.loadgen: subprocess.Popen | None = None
        self.results: dict = {"phases": {}}

    # ---- setup ------------------------------------------------------------------
    def prepare(self) -> None:
        self.site = stage.prepare_site(self.opts, self.cleanup, "bench-cohort")
        self.tmp, self.env = self.site.tmp, self.site.env
        self.password, self.db_label = self.site.password, self.site.db_label
        self.sampler.db_pid = self.site.db_pid
        self.results["hasher"] = self.site.hasher

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
        self.port = procs.free_port()
        self.host = f"http://127.0.0.1:{self.port}"
        self.access_log = self.tmp / "access.log"
        started = time.time()
        self.gunicorn = procs.start_gunicorn(ROOT, self.env, self.port, self.tmp)
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

    # ---- phases -----------------------------------------------------------------
    def log_offset(self) -> int:
        time.sleep(0.3)  # gunicorn logs a request after answering it
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def loadgen_phase(self, mode: str, extra: dict) -> dict:
        cfg = {
            "mode": mode,
            "host": self.host,
            "slug": SLUG,
            "password": self.password,
            "out": str(self.tmp / f"{mode}.json"),
            "progress_every": 2 if self.opts.smoke else 10,
            "max_requests_per_user": 100_000,
            **extra,
        }
        cfg_path = self.tmp / f"{mode}-config.json"
        cfg_path.write_text(json.dumps(cfg))
        offset = self.log_offset()
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
        try:
            code = self.loadgen.wait(cfg["timeout"] + 60)
        except subprocess.TimeoutExpired:
            procs.stop_process(self.loadgen)
            raise RuntimeError(f"the {mode} generator overran its time limit") from None
        self.sampler.set_generator(None)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if code != 0:
            raise RuntimeError(f"the {mode} generator exited with {code}")
        data = json.loads(Path(cfg["out"]).read_text())
        data["generator_cpu"] = (after.ru_utime + after.ru_stime) - (
            before.ru_utime + before.ru_stime
        )
        data["server_rows"] = report.read_access_log(
            self.access_log, offset, self.log_offset()
        )
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
        offset = self.log_offset()
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
        rows = report.read_access_log(self.access_log, offset, self.log_offset())
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
        }
        self.raw = getattr(self, "raw", {})
        self.raw[phase] = data
        for line in report.table(client, server):
            say(line)
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
        other = cpu["machine_busy"] - cpu["generator"] - cpu["server"] - cpu["db"]
        say(
            f"  CPU {label:22} ({s:5.1f}s) in cores: generator "
            f"{cpu['generator'] / s:4.2f}, gunicorn {cpu['server'] / s:4.2f}, "
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
            f"gunicorn: {self.workers} sync workers; trainees: {self.opts.trainees}"
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
            say(f"  {name:28} {value[0]:6.1f} + {value[1]:5.1f}")
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
        targets = [
            ("no errors, lost answers or score mismatches", clean),
            (f"start-attempt p95 (burst) < 500 ms ({start_p95:.0f})", start_p95 < 500),
            (f"answer-save p95 < 150 ms ({save_p95:.0f})", save_p95 < 150),
            (
                f"save capacity >= 35% of the baseline ({save_rps / healthz:.0%})",
                save_rps / healthz >= 0.35,
            ),
        ]  # fmt: skip
        self.results["targets"] = targets
        say("targets (client-side latencies):")
        for text, met in targets:
            say(f"  {'met ' if met else 'MISS'}  {text}")
        self.results["audit"] = audit
        # Latency and throughput targets are reported; correctness decides the exit.
        return 0 if clean else 1

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
        procs.stop_process(bench.gunicorn)
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
