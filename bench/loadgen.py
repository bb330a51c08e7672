"""The load generator: locust FastHttpUsers driven through locust's library API.

``bench/cohort.py`` runs it as a subprocess, one phase at a time:

    python bench/loadgen.py CONFIG.json

and reads back the JSON file named by the config's ``out``: every request (name,
start, duration, status, error), every acknowledged answer save, the phase's
window and the generator's own CPU time. Phases (``mode``):

- ``healthz``: closed loop of GET /healthz, no think time: the generator's ceiling.
- ``cohort``: N trainees log in (real PBKDF2 logins, ramped), wait for the exam to
  open, start their attempt within a ``burst``-second window, save every answer with
  think time, change some answers, submit.
- ``saves``: trainees already logged in (cookies from the cohort phase) start a
  second attempt, then save answers in a closed loop with no think time: the
  answer-save capacity, the counterpart of the healthz phase.

Traffic goes only to the loopback host given in the config; every loop is bounded
in time and in count.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from itertools import count

import gevent
import gevent.pool
from gevent.event import Event

# Importing locust monkey-patches the standard library for gevent.
from locust import FastHttpUser, task
from locust.env import Environment
from locust.exception import StopUser

LOGIN = "/accounts/login/"

with open(sys.argv[1]) as fh:
    CFG = json.load(fh)
if not CFG["host"].startswith(("http://127.0.0.1:", "http://localhost:")):
    sys.exit("loadgen: the target must be on loopback")

RNG = random.Random(CFG.get("seed"))
samples: list[list] = []  # [name, start (epoch s), ms, status, error]
acks: list[dict] = []  # acknowledged answer saves
results: list[dict] = []  # per trainee: attempt id, submit result, cookies
problems: list[str] = []  # unexpected statuses and exceptions, first few kept
retries: list[list] = []  # [name, time, status] of each try that was retried
RETRY_FOR = 60.0
counters = {"ready": 0, "started": 0, "saved": 0, "submitted": 0, "failed": 0}
exam_open = Event()
MAX_PROBLEMS = 50


def on_request(
    request_type, name, response_time, response_length, exception=None, **kw
):
    response = kw.get("response")
    status = getattr(response, "status_code", 0) or 0
    samples.append(
        [
            name,
            kw.get("start_time", time.time() - response_time / 1000),
            response_time,
            status,
            None if exception is None else f"{type(exception).__name__}: {exception}",
        ]
    )


def problem(text: str) -> None:
    counters["failed"] += 1
    if len(problems) < MAX_PROBLEMS:
        problems.append(text)


def choose(question: dict, avoid: list[int] | None = None) -> list[int]:
    """A plausible answer: one choice, or a few for a select-all-that-apply."""
    ids = [c["id"] for c in question["choices"]]
    for _ in range(10):
        if question["kind"] == "multiple":
            picked = sorted(RNG.sample(ids, RNG.randint(1, max(1, len(ids) - 1))))
        else:
            picked = [RNG.choice(ids)]
        if picked != avoid:
            return picked
    return picked


def csrf_token(client) -> str:
    for cookie in client.cookiejar:
        if cookie.name == "csrftoken":
            return cookie.value
    return ""


def cookies(client) -> dict:
    return {c.name: c.value for c in client.cookiejar}


class Trainee(FastHttpUser):
    """One trainee: the phase's script, once, then stop (no respawn)."""

    abstract = True
    host = CFG["host"]
    network_timeout = 60.0
    connection_timeout = 30.0
    username = ""
    cookie_state: dict | None = None

    # ---- the requests ----------------------------------------------------------
    def retried(self, r, name: str, first: float, delay: float) -> bool:
        """With ``retry`` (NODES=2): mark a 5xx or unanswered try as retried (the
        caller waits ``delay`` and tries again); False when it is not retried."""
        failed = r.status_code == 0 or r.status_code >= 500
        in_time = time.time() + delay - first < RETRY_FOR
        if not (failed and CFG.get("retry") and in_time):
            return False
        text = (r.text or "")[:80] if r.status_code else str(r.error)
        r.failure(f"retried: {r.status_code} {text}")
        retries.append([name, time.time(), r.status_code])
        return True

    def login(self) -> bool:
        first, delay = time.time(), 0.2
        while True:  # the form (and its CSRF cookie)
            with self.client.get(
                LOGIN, name="GET /accounts/login/", catch_response=True
            ) as r:
                again = self.retried(r, "GET /accounts/login/", first, delay)
                if not again and (r.status_code != 200 or not csrf_token(self.client)):
                    r.failure(f"login page: {r.status_code}")
                    problem(f"{self.username}: GET login page -> {r.status_code}")
                    return False
            if not again:
                break
            gevent.sleep(delay)
            delay = min(delay * 2, 3.0)
        first, delay = time.time(), 0.2
        while True:  # the password
            with self.client.post(
                LOGIN,
                name="POST /accounts/login/",
                data={
                    "username": self.username,
                    "password": CFG["password"],
                    "csrfmiddlewaretoken": csrf_token(self.client),
                },
                allow_redirects=False,
                catch_response=True,
            ) as r:
                again = self.retried(r, "POST /accounts/login/", first, delay)
                # A refused login shows the form again (200).
                if not again and r.status_code != 302:
                    r.failure(f"login refused: {r.status_code}")
                    problem(f"{self.username}: POST login -> {r.status_code}")
                    return False
            if not again:
                return True
            gevent.sleep(delay)
            delay = min(delay * 2, 3.0)

    def api(self, method: str, path: str, name: str, body=None, expect=(200,)):
        """One call; with ``retry`` in the config (NODES=2), a 5xx or no answer is
        tried again after 0.2 s, doubling up to 3 s, for up to a minute, as the
        attempt page does. The tries that failed are recorded with an error that
        starts "retried:", so that they count apart from the calls that failed."""
        delay, first = 0.2, time.time()
        while True:
            retry, out = self._api_once(method, path, name, body, expect, first, delay)
            if not retry:
                return out
            gevent.sleep(delay)
            delay = min(delay * 2, 3.0)
            # A start or submit the server applied before its answer was lost is
            # answered 200 the second time (the attempt in progress, the result).
            expect = (*expect, 200)

    def _api_once(self, method, path, name, body, expect, first, delay):
        headers = {"X-CSRFToken": csrf_token(self.client)}
        with self.client.request(
            method, path, name=name, json=body, headers=headers, catch_response=True
        ) as r:
            if self.retried(r, name, first, delay):
                return True, None
            if r.status_code not in expect:
                text = (r.text or "")[:200] if r.status_code else str(r.error)
                r.failure(f"{r.status_code}: {text}")
                problem(f"{self.username}: {method} {path} -> {r.status_code} {text}")
                return False, None
            try:
                return False, r.json()
            except ValueError:
                r.failure("not JSON")
                problem(f"{self.username}: {method} {path} -> not JSON")
                return False, None

    def start_attempt(self, expect=(201,)) -> dict | None:
        return self.api(
            "POST",
            f"/api/quizzes/{CFG['slug']}/attempts",
            "POST /api/quizzes/[slug]/attempts",
            expect=expect,
        )

    def save(self, attempt_id: int, question: dict, choices: list[int]) -> bool:
        flagged = RNG.random() < 0.1
        sent = time.time()
        out = self.api(
            "PUT",
            f"/api/attempts/{attempt_id}/answers/{question['id']}",
            "PUT /api/attempts/[id]/answers/[qid]",
            body={"choices": choices, "flagged": flagged},
        )
        if out is None or out.get("saved") is not True:
            return False
        acks.append(
            {
                "attempt": attempt_id,
                "question": question["id"],
                "choices": choices,
                "flagged": flagged,
                "sent": sent,
                "acked": time.time(),
                "phase": CFG["mode"],
            }
        )
        counters["saved"] += 1
        return True

    def submit(self, attempt_id: int) -> dict | None:
        return self.api(
            "POST",
            f"/api/attempts/{attempt_id}/submit",
            "POST /api/attempts/[id]/submit",
        )

    def think(self) -> None:
        low, high = CFG["think"]
        gevent.sleep(RNG.uniform(low, high))


class HealthzUser(Trainee):
    @task
    def run_loop(self):
        deadline = CFG["t_end"]
        for _ in range(CFG["max_requests_per_user"]):
            if time.time() >= deadline:
                break
            with self.client.get(
                "/healthz", name="GET /healthz", catch_response=True
            ) as r:
                if r.status_code != 200:
                    r.failure(str(r.status_code))
                    problem(f"GET /healthz -> {r.status_code}")
        raise StopUser()


class CohortTrainee(Trainee):
    @task
    def sitting(self):
        ok = self.login()
        counters["ready"] += 1
        if not ok:
            raise StopUser()
        exam_open.wait()
        gevent.sleep(RNG.uniform(0, CFG["burst"]))  # everyone starts in the burst
        started = self.start_attempt()
        if started is None:
            raise StopUser()
        counters["started"] += 1
        attempt_id = started["id"]
        questions = started["questions"]
        last: dict[int, list[int]] = {}
        for question in questions:  # one pass through the exam
            self.think()
            choices = choose(question)
            if self.save(attempt_id, question, choices):
                last[question["id"]] = choices
        changes = RNG.sample(questions, min(CFG["changes"], len(questions)))
        for question in changes:  # second thoughts
            self.think()
            self.save(attempt_id, question, choose(question, last.get(question["id"])))
        self.think()
        result = self.submit(attempt_id)
        if result is not None:
            counters["submitted"] += 1
        results.append(
            {
                "username": self.username,
                "attempt": attempt_id,
                "result": result,
                "cookies": cookies(self.client),
            }
        )
        raise StopUser()


class SavesTrainee(Trainee):
    @task
    def closed_loop(self):
        for name, value in self.cookie_state.items():
            self.client.cookiejar.set_cookie(make_cookie(name, value))
        started = self.start_attempt()
        counters["ready"] += 1
        if started is None:
            raise StopUser()
        counters["started"] += 1
        attempt_id = started["id"]
        questions = started["questions"]
        exam_open.wait()
        n = 0
        for n in range(CFG["max_requests_per_user"]):
            if time.time() >= CFG["t_end"]:
                break
            question = questions[n % len(questions)]
            self.save(attempt_id, question, choose(question))
        result = self.submit(attempt_id)
        if result is not None:
            counters["submitted"] += 1
        results.append(
            {"username": self.username, "attempt": attempt_id, "result": result}
        )
        raise StopUser()


def make_cookie(name: str, value: str):
    from http.cookiejar import Cookie

    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
        None, False, None, None, {},
    )  # fmt: skip


def progress(stop: Event, started_at: float, total: int) -> None:
    while not stop.wait(CFG.get("progress_every", 5)):
        head = f"  [{CFG['mode']} {time.time() - started_at:4.0f}s]"
        if CFG["mode"] == "healthz":
            print(f"{head} requests {len(samples)}", flush=True)
            continue
        print(
            f"{head} {'logged in' if CFG['mode'] == 'cohort' else 'ready'} "
            f"{counters['ready']}/{total}, started {counters['started']}, "
            f"saves acked {counters['saved']}, submitted {counters['submitted']}, "
            f"problems {counters['failed']}",
            flush=True,
        )


def main() -> None:
    mode = CFG["mode"]
    user_class = {
        "healthz": HealthzUser,
        "cohort": CohortTrainee,
        "saves": SavesTrainee,
    }[mode]
    env = Environment(user_classes=[user_class], host=CFG["host"])
    env.events.request.add_listener(on_request)
    group = gevent.pool.Group()
    # The save phase may have no one left to run (every login failed): an empty
    # list is not the healthz phase's count of anonymous users.
    if "usernames" in CFG:
        users = CFG["usernames"]
    else:
        users = [f"u{i}" for i in range(CFG["users"])]
    total = len(users)
    stop_progress = Event()
    t0 = time.time()
    gevent.spawn(progress, stop_progress, t0, total)
    window = {"t0": t0}

    if mode == "healthz":
        CFG["t_end"] = t0 + CFG["seconds"]
    spawned = []
    numbers = count()
    rate = CFG.get("spawn_rate") or 0
    for username in users:
        user = user_class(env)
        user.username = username
        if mode == "saves":
            user.cookie_state = CFG["cookies"][username]
        user.start(group)
        spawned.append(user)
        if rate and next(numbers) < total - 1:
            gevent.sleep(1 / rate)

    hard_deadline = t0 + CFG["timeout"]
    if mode in ("cohort", "saves"):
        # The exam opens once everyone is logged in (or has failed to).
        while counters["ready"] < total and time.time() < hard_deadline:
            gevent.sleep(0.05)
        window["open"] = time.time()
        if mode == "saves":
            CFG["t_end"] = window["open"] + CFG["seconds"]
        print(
            f"  [{mode}] {counters['ready']}/{total} ready after "
            f"{window['open'] - t0:.1f}s; "
            + (
                f"exam opens: starts spread over {CFG['burst']}s"
                if mode == "cohort"
                else f"closed-loop saves for {CFG['seconds']}s"
            ),
            flush=True,
        )
        if CFG.get("open_file"):
            with open(CFG["open_file"], "w") as fh:
                json.dump(window, fh)
        exam_open.set()

    group.join(timeout=max(1.0, hard_deadline - time.time()))
    timed_out = len(group) > 0
    if timed_out:
        problem(f"phase timed out after {CFG['timeout']}s with {len(group)} users left")
        group.kill(block=True, timeout=10)
    window["end"] = time.time()
    stop_progress.set()

    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(CFG["out"], "w") as fh:
        json.dump(
            {
                "mode": mode,
                "window": window,
                "samples": samples,
                "acks": acks,
                "results": results,
                "problems": problems,
                "retries": retries,
                "counters": counters,
                "timed_out": timed_out,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
            },
            fh,
        )


if __name__ == "__main__":
    main()
