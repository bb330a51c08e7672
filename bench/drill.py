"""The fault drill: a cohort sits the comprehensive exam while the server and the
database fail under it, and no acknowledged answer may be lost.

    make drill                      # 60 trainees, fresh SQLite database
    make drill BENCH_PG=1           # a throwaway PostgreSQL 15 cluster
    make drill TRAINEES=20          # the small drill CI runs

Starts gunicorn (production settings, plain HTTP on loopback) against a fresh
database, gives the trainees a logged-in session each (``bench/trainee.py``: threads
that behave like the attempt page and retry with back-off), opens the exam, and once
every attempt has started injects, in turn, with a settle period between:

1. ``kill -9`` of one gunicorn worker serving a request (the master starts another);
2. a database crash: PostgreSQL stopped with ``pg_ctl -m immediate`` and started
   again (crash recovery), with new requests held meanwhile so that every worker's
   kept connection dies idle; on SQLite, ``kill -9`` of every worker at once;
3. SIGHUP to the master: a graceful reload;
4. ``kill -9`` of the master and every worker, then a new gunicorn on the same port.

The trainees keep changing answers until the last fault has settled, then submit.
Then the database is audited (``bench/dbtool.py``): the last acknowledged value of
every answer must be stored, every score must equal a recomputation, and every
attempt must be finished.

Figures, per fault (requests are counted in the fault whose window they ended in,
from its injection to the next one):
- recovery: from the injection until every trainee who had a request fail has had a
  request succeed again (0 when no trainee saw a failure);
- first success: from the injection to the first request sent after it that
  succeeded (how long the site was out for everyone);
- slowest: the longest a request waited for its answer after the injection (a
  stall, such as requests queued while new workers boot, fails nothing);
- failed: requests with no answer or a 5xx; transient: those a retry then got
  through; 5xx: answers with a 5xx status (on PostgreSQL, also those to requests
  sent once the database was back: at most one per worker, by the connection health
  checks; 0 is expected);
- gave up: saves or submits still failing after 60 s of retries.

Exits 1 on any lost acknowledged answer, score mismatch, unfinished attempt, refusal
(4xx) or trainee who could not finish; everything started is stopped, also on Ctrl-C.

Environment: TRAINEES (60), BENCH_PG=1, DATABASE_URL (a fresh database on that
server; the database crash then needs a cluster of our own and is skipped),
WEB_CONCURRENCY (gunicorn's default 2 × cores + 1), BENCH_KEEP=1 keeps the logs,
THINK ("1-3" s between answers), SETTLE (10 s after each fault). Fewer than 50
trainees is a short drill (CI): think 0.2-0.5 s and 3 s settles, unless set.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

import procs
import stage
from stage import PREFIX, PYTHON, ROOT, SLUG, say
from trainee import GIVE_UP, Request, Shared, Trainee

FAULTS = [
    "kill -9 of one worker",
    "database crash",
    "SIGHUP (graceful reload)",
    "kill -9 of the whole server, then a new start",
]


def serving(workers: list[int], port: int) -> list[int]:
    """The workers that hold an accepted connection on ``port`` (Linux's /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local address "0100007F:PORT" in hex; state 01 is ESTABLISHED
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    busy = []
    for pid in workers:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                busy.append(pid)
                break
    return busy


def options():
    opts = stage.options("The fault drill (see the module docstring).", 60)
    opts.short = opts.trainees < 50
    think = os.environ.get("THINK", "").strip() or ("0.2-0.5" if opts.short else "1-3")
    low, _, high = think.partition("-")
    opts.think = (float(low), float(high or low))
    opts.settle = stage.env_num("SETTLE", 3.0 if opts.short else 10.0)
    opts.burst = 1.0 if opts.short else 5.0
    return opts


class Drill:
    def __init__(self, opts) -> None:
        self.opts = opts
        self.cleanup = procs.Cleanup()
        self.gunicorn: subprocess.Popen | None = None
        self.faults: list[dict] = []
        self.trainees: list[Trainee] = []

    # ---- the server --------------------------------------------------------------
    def serve(self) -> None:
        """Start gunicorn on ``self.port``, the same port after a server kill."""
        started = time.time()
        self.gunicorn = procs.start_gunicorn(
            ROOT, self.site.env, self.port, self.site.tmp
        )
        self.workers = procs.gunicorn_workers(self.gunicorn)
        say(
            f"  gunicorn: pid {self.gunicorn.pid}, {self.workers} sync workers on "
            f"127.0.0.1:{self.port} ({time.time() - started:.1f}s)"
        )

    def start(self) -> None:
        opts = self.opts
        self.site = stage.prepare_site(opts, self.cleanup, "drill")
        self.port = procs.free_port()
        self.cleanup.add("stop gunicorn", lambda: procs.stop_process(self.gunicorn))
        self.serve()
        time.sleep(1)  # let every worker finish booting
        self.workers = procs.gunicorn_workers(self.gunicorn)
        self.shared = Shared(
            port=self.port,
            slug=SLUG,
            think=opts.think,
            burst=opts.burst,
        )
        self.cleanup.add("stop the trainees", self.shared.abort.set)
        out = stage.run(
            [PYTHON, "bench/dbtool.py", "sessions", PREFIX], self.site.env, "sessions"
        )
        sessions = json.loads(out.strip().splitlines()[-1])
        for i in range(1, opts.trainees + 1):
            username = f"{PREFIX}{i:04d}"
            trainee = Trainee(self.shared, i, username, sessions[username])
            self.trainees.append(trainee)
            trainee.start()

    def progress(self, stop: threading.Event, started: float) -> None:
        every = 2 if self.opts.short else 5
        while not stop.wait(every):
            c = self.shared.counters
            failed = sum(1 for r in self.shared.requests if r.failed)
            say(
                f"  [drill {time.time() - started:4.0f}s] started "
                f"{c['started']}/{self.opts.trainees}, "
                f"saves acked {c['saved']}, failed requests {failed}, "
                f"retrying now {len(self.shared.retrying)}, submitted {c['submitted']}"
            )

    # ---- the faults ----------------------------------------------------------------
    def kill_one_worker(self, fault: dict) -> None:
        # A worker holding a client's connection, that is in the middle of a
        # request (an idle worker's death would go unseen); any after 2 s.
        workers = procs.children(self.gunicorn.pid)
        deadline = time.time() + 2
        busy = serving(workers, self.port)
        while not busy and time.time() < deadline:
            time.sleep(0.005)
            busy = serving(workers, self.port)
        pid = random.choice(busy or workers)
        fault["t"] = time.time()
        os.kill(pid, signal.SIGKILL)
        fault["detail"] = f"worker pid {pid}" + (" (serving a request)" if busy else "")

    def crash_database(self, fault: dict) -> None:
        cluster = self.site.cluster
        if cluster is not None:
            # New requests are held and those in flight finish before the crash,
            # so that every worker holds an idle connection to the server that
            # dies: the first request each serves after the restart shows whether
            # it fails on a dead connection (without CONN_HEALTH_CHECKS, it does).
            shared = self.shared
            shared.gate.clear()
            try:
                drained = time.time() + 10
                while shared.in_flight and time.time() < drained:
                    time.sleep(0.01)
                cluster.stop("immediate")
                cluster.start()
                fault["back"] = time.time()
            finally:
                shared.gate.set()
            fault["detail"] = (
                "requests in flight finished, pg_ctl -m immediate stop, start again; "
                f"new requests held {fault['back'] - fault['t']:.1f}s"
            )
        elif self.site.on_postgres:
            fault["detail"] = "skipped: DATABASE_URL's server is not ours (BENCH_PG=1)"
            fault["skipped"] = True
        else:
            workers = procs.children(self.gunicorn.pid)
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            fault["detail"] = f"SQLite: kill -9 of all {len(workers)} workers at once"

    def reload(self, fault: dict) -> None:
        os.kill(self.gunicorn.pid, signal.SIGHUP)
        fault["detail"] = f"SIGHUP to the master (pid {self.gunicorn.pid})"

    def kill_server(self, fault: dict) -> None:
        old = self.gunicorn.pid
        os.killpg(old, signal.SIGKILL)
        self.gunicorn.wait(10)
        self.serve()
        fault["back"] = time.time()
        fault["detail"] = (
            f"kill -9 of master {old} and its workers; new master {self.gunicorn.pid} "
            f"answers after {fault['back'] - fault['t']:.1f}s"
        )

    def settle(self, since: float) -> None:
        """Until the site has answered a request sent after the injection and no
        trainee is waiting to retry (bounded), then the settle period."""
        shared, deadline = self.shared, time.time() + GIVE_UP + 5
        while time.time() < deadline and (
            shared.retrying
            or not any(r.ok and r.t0 >= since for r in reversed(shared.requests))
        ):
            time.sleep(0.2)
        time.sleep(self.opts.settle)

    def inject(self) -> None:
        steps = [
            self.kill_one_worker,
            self.crash_database,
            self.reload,
            self.kill_server,
        ]
        for number, (name, step) in enumerate(zip(FAULTS, steps, strict=True), 1):
            fault = {"number": number, "name": name, "t": time.time()}
            self.faults.append(fault)
            step(fault)
            say(f"fault {number}/4: {name}: {fault['detail']}")
            self.settle(fault["t"])

    # ---- the run -------------------------------------------------------------------
    def sit(self) -> None:
        opts, shared = self.opts, self.shared
        started = time.time()
        stop = threading.Event()
        threading.Thread(
            target=self.progress, args=(stop, started), daemon=True
        ).start()
        self.cleanup.add("stop the progress lines", stop.set)
        say(
            f"\nthe cohort, logged in: {opts.trainees} trainees start within "
            f"{opts.burst:g}s, think {opts.think[0]:g}-{opts.think[1]:g}s"
        )
        shared.exam_open.set()
        # Everyone has started and saved a few answers before the first fault.
        deadline = time.time() + opts.burst + GIVE_UP
        while shared.counters["started"] < opts.trainees and time.time() < deadline:
            time.sleep(0.1)
        say(f"  {shared.counters['started']}/{opts.trainees} attempts started")
        time.sleep(opts.settle)
        self.inject()
        shared.faults_done.set()
        say("all four faults injected and settled: the trainees submit")
        # What is left of a pass through the exam, then a submit that may retry.
        deadline = time.time() + 41 * opts.think[1] + 2 * GIVE_UP + 30
        for trainee in self.trainees:
            trainee.join(max(0.1, deadline - time.time()))
        stop.set()
        self.stragglers = sum(1 for t in self.trainees if t.is_alive())
        if self.stragglers:
            shared.abort.set()

    def audit(self) -> dict:
        procs.stop_process(self.gunicorn)
        path = self.site.tmp / "acks.json"
        shared = self.shared
        path.write_text(
            json.dumps(
                {
                    "acks": shared.acks,
                    "results": shared.results,
                    "unacked": shared.unacked,
                }
            )
        )
        return self.site.audit(path)

    # ---- the report ----------------------------------------------------------------
    def measure(self) -> list[dict]:
        requests: list[Request] = self.shared.requests
        succeeded_calls = {r.call for r in requests if r.ok}
        last_try: dict[int, Request] = {}
        for r in requests:
            last_try[r.call] = r
        gave_up = {c for c, r in last_try.items() if r.failed}
        bounds = [f["t"] for f in self.faults] + [math.inf]
        rows = []
        for fault, end in zip(self.faults, bounds[1:], strict=True):
            t = fault["t"]
            window = [r for r in requests if t <= r.t1 < end]
            failed = [r for r in window if r.failed]
            last_failure: dict[int, float] = {}
            for r in failed:
                last_failure[r.trainee] = max(last_failure.get(r.trainee, 0), r.t1)
            recovered = []
            for trainee, when in last_failure.items():
                after = [r.t1 for r in requests if r.trainee == trainee and r.ok
                         and r.t0 >= when]  # fmt: skip
                recovered.append(min(after) if after else math.inf)
            firsts = [r.t1 for r in window if r.ok and r.t0 >= t]
            row = {
                **fault,
                "recovery": (max(recovered) - t) if recovered else 0.0,
                "first_success": (min(firsts) - t) if firsts else math.inf,
                "affected": len(last_failure),
                "slowest": max((r.t1 - max(r.t0, t) for r in window), default=0.0),
                "requests": len(window),
                "failed": len(failed),
                "transient": sum(1 for r in failed if r.call in succeeded_calls),
                "5xx": sum(1 for r in window if r.status >= 500),
                "gave_up": sum(1 for c in gave_up if t <= last_try[c].t1 < end),
            }
            if "back" in fault and fault["number"] == 2:
                row["5xx_after_restart"] = sum(
                    1 for r in window if r.status >= 500 and r.t0 >= fault["back"]
                )
            rows.append(row)
        return rows

    def report(self, audit: dict) -> int:
        rows = self.measure()
        shared = self.shared
        say("\n==== fault drill ====")
        say(
            f"database: {self.site.db_label}; gunicorn: {self.workers} sync workers; "
            f"trainees: {self.opts.trainees}; requests: {len(shared.requests)}"
        )
        say(f"faults injected: {sum(1 for r in rows if not r.get('skipped'))} of 4")
        say(
            "recovery: from the injection until every trainee who had a request "
            "fail has had one succeed again;\nfirst ok: from the injection to the "
            "first success of a request sent after it;\nslowest: the longest wait "
            "for an answer after the injection (a request that stalled, not failed)."
        )
        say(
            f"{'fault':46} {'recovery':>8} {'first ok':>8} {'slowest':>7} "
            f"{'affected':>8} {'failed':>6} {'transient':>9} {'5xx':>4} {'gave up':>7}"
        )
        for r in rows:
            recovery = "never" if math.isinf(r["recovery"]) else f"{r['recovery']:.2f}s"
            first = (
                "never"
                if math.isinf(r["first_success"])
                else (f"{r['first_success']:.2f}s")
            )
            say(
                f"{r['number']} {r['name']:44} {recovery:>8} {first:>8} "
                f"{r['slowest']:6.2f}s {r['affected']:>8} {r['failed']:>6} "
                f"{r['transient']:>9} {r['5xx']:>4} {r['gave_up']:>7}"
            )
        for r in rows:
            say(f"  {r['number']}: {r['detail']}")
            if "5xx_after_restart" in r:
                verdict = "met" if r["5xx_after_restart"] <= self.workers else "MISSED"
                say(
                    f"  2: 5xx to requests sent once PostgreSQL was back: "
                    f"{r['5xx_after_restart']} (at most one per worker, "
                    f"{self.workers}: {verdict})"
                )
        unfinished_trainees = self.opts.trainees - shared.counters["submitted"]
        totals = {
            "saves acknowledged": shared.counters["saved"],
            "saves never acknowledged": len(shared.unacked),
            "refusals (4xx)": len(shared.refusals),
            "trainees who did not finish": unfinished_trainees,
            "lost acknowledged answers": audit["lost_answers"],
            "score mismatches": audit["score_mismatches"],
            "unfinished attempts": audit["unfinished"],
            "scores the client saw that differ from the stored ones": audit[
                "client_score_disagreements"
            ],
        }
        say("totals:")
        for name, value in totals.items():
            say(f"  {name}: {value}")
        if audit.get("unacked_applied"):
            say(
                f"  (answers whose stored value is a save the client gave up on: "
                f"{audit['unacked_applied']})"
            )
        for text in shared.refusals[:10]:
            say(f"  refusal: {text}")
        for example in audit["lost_examples"] + audit["mismatch_examples"]:
            say(f"  {example}")
        self.results = {"faults": rows, "totals": totals, "audit": audit}
        bad = (
            audit["lost_answers"]
            or audit["score_mismatches"]
            or audit["unfinished"]
            or audit["client_score_disagreements"]
            or shared.refusals
            or unfinished_trainees
            or self.stragglers
        )
        return 1 if bad else 0


def main() -> int:
    opts = options()
    drill = Drill(opts)

    def body() -> int:
        drill.start()
        drill.sit()
        audit = drill.audit()
        code = drill.report(audit)
        if opts.json:
            Path(opts.json).write_text(json.dumps(drill.results, indent=1, default=str))
            Path(opts.json).with_suffix(".requests.json").write_text(
                json.dumps([asdict(r) for r in drill.shared.requests])
            )
        return code

    return stage.main("drill", body, drill.cleanup)


if __name__ == "__main__":
    sys.exit(main())
