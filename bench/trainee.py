"""A trainee for the fault drill: one thread that sits the exam the way the attempt
page does, retrying what fails, and logs every request it makes.

Plain threads and ``http.client`` (standard library): one request at a time per
trainee, a new connection each (gunicorn's sync workers close it anyway), so a
killed worker or server shows exactly as it would to a browser: a reset or refused
connection, a 5xx, or a timeout. The trainee is logged in already (a session made by
``bench/dbtool.py sessions``): it starts the exam, answers every question, changes
answers until the drill has injected every fault, then submits.

Retries, as the attempt page: a connection error, a timeout or a 5xx is retried after
0.2 s, doubling up to 3 s, for up to ``GIVE_UP`` seconds; a 4xx is a refusal (logged,
not retried). The client waits ``TIMEOUT`` s for an answer, longer than gunicorn's
worker timeout (30 s): a request the client has stopped waiting for has been killed
with its worker, so it can never be applied after a newer save.
"""

from __future__ import annotations

import http.client
import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

TIMEOUT = 35.0
GIVE_UP = 60.0
FIRST_DELAY, MAX_DELAY = 0.2, 3.0


@dataclass
class Request:
    """One HTTP request as the client saw it."""

    trainee: int
    kind: str  # start, save, submit
    call: int  # the call (a save, a submit...) this request is a try of
    t0: float
    t1: float
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    @property
    def failed(self) -> bool:
        """Failed in a way worth retrying (the server or the network)."""
        return self.status == 0 or self.status >= 500


@dataclass
class Shared:
    """What the drill and its trainees share: the logs, and the signals."""

    port: int
    slug: str
    think: tuple[float, float]
    burst: float
    requests: list[Request] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)
    unacked: list[dict] = field(default_factory=list)  # saves given up on
    refusals: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    counters: dict = field(
        default_factory=lambda: dict.fromkeys(
            ("started", "saved", "submitted", "gave_up"), 0
        )
    )
    retrying: set = field(default_factory=set)  # trainees waiting to retry
    exam_open: threading.Event = field(default_factory=threading.Event)
    faults_done: threading.Event = field(default_factory=threading.Event)
    abort: threading.Event = field(default_factory=threading.Event)
    # Cleared to hold every request (the drill's database crash on PostgreSQL).
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: int = 0
    in_flight: int = 0

    def __post_init__(self) -> None:
        self.gate.set()

    def count(self, name: str) -> None:
        with self.lock:
            self.counters[name] += 1

    def new_call(self) -> int:
        with self.lock:
            self.calls += 1
            return self.calls


class Trainee(threading.Thread):
    def __init__(
        self, shared: Shared, number: int, username: str, session: str
    ) -> None:
        super().__init__(daemon=True, name=username)
        self.shared = shared
        self.number = number
        self.username = username
        self.rng = random.Random(number)
        # Logged in already (bench/dbtool.py sessions). The CSRF cookie is the
        # client's own: Django checks only that the header matches it.
        csrf = "".join(self.rng.choices(string.ascii_letters + string.digits, k=32))
        self.cookies = {"sessionid": session, "csrftoken": csrf}

    # ---- HTTP -------------------------------------------------------------------
    def _send(self, method: str, path: str, body: bytes | None, ctype: str | None):
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", "")}
        if ctype:
            headers["Content-Type"] = ctype
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.shared.port, timeout=TIMEOUT
        )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, data
        finally:
            conn.close()

    def call(self, kind: str, method: str, path: str, *, json_body=None, expect=(200,)):
        """One request, retried with back-off until it is answered as expected (the
        answer's body, parsed when JSON), refused (None) or given up on (None)."""
        body, ctype = None, None
        if json_body is not None:
            body, ctype = json.dumps(json_body).encode(), "application/json"
        shared, call = self.shared, self.shared.new_call()
        first, delay = time.time(), FIRST_DELAY
        while not shared.abort.is_set():
            shared.gate.wait()
            with shared.lock:
                shared.in_flight += 1
            t0 = time.time()
            try:
                status, data = self._send(method, path, body, ctype)
                error = None
            except (OSError, http.client.HTTPException) as exc:
                status, data, error = 0, b"", f"{type(exc).__name__}: {exc}"
            finally:
                with shared.lock:
                    shared.in_flight -= 1
            request = Request(self.number, kind, call, t0, time.time(), status, error)
            shared.requests.append(request)
            if status in expect:
                shared.retrying.discard(self.number)
                try:
                    return json.loads(data) if data[:1] in (b"{", b"[") else data
                except ValueError:
                    return data
            if not request.failed:  # a 4xx (or an unexpected answer): a refusal
                shared.retrying.discard(self.number)
                shared.refusals.append(
                    f"{self.username}: {method} {path} -> {status} {data[:200]!r}"
                )
                return None
            if time.time() + delay - first > GIVE_UP:
                shared.retrying.discard(self.number)
                shared.count("gave_up")
                return None
            shared.retrying.add(self.number)
            shared.abort.wait(delay)
            delay = min(delay * 2, MAX_DELAY)
        return None

    # ---- the sitting --------------------------------------------------------------
    def think(self) -> None:
        self.shared.abort.wait(self.rng.uniform(*self.shared.think))

    def choose(self, question: dict, avoid: list[int] | None = None) -> list[int]:
        ids = [c["id"] for c in question["choices"]]
        for _ in range(10):
            if question["kind"] == "multiple":
                size = self.rng.randint(1, max(1, len(ids) - 1))
                picked = sorted(self.rng.sample(ids, size))
            else:
                picked = [self.rng.choice(ids)]
            if picked != avoid:
                break
        return picked

    def save(self, attempt_id: int, question: dict, choices: list[int]) -> bool:
        flagged = self.rng.random() < 0.1
        record = {
            "attempt": attempt_id,
            "question": question["id"],
            "choices": choices,
            "flagged": flagged,
            "sent": time.time(),
        }
        out = self.call(
            "save",
            "PUT",
            f"/api/attempts/{attempt_id}/answers/{question['id']}",
            json_body={"choices": choices, "flagged": flagged},
        )
        if isinstance(out, dict) and out.get("saved") is True:
            self.shared.acks.append({**record, "acked": time.time()})
            self.shared.count("saved")
            return True
        self.shared.unacked.append(record)
        return False

    def run(self) -> None:
        shared = self.shared
        shared.exam_open.wait()
        shared.abort.wait(self.rng.uniform(0, shared.burst))
        started = self.call(
            "start", "POST", f"/api/quizzes/{shared.slug}/attempts", expect=(200, 201)
        )
        if not isinstance(started, dict):
            return
        shared.count("started")
        attempt_id, questions = started["id"], started["questions"]
        last: dict[int, list[int]] = {}
        for question in questions:  # one pass through the exam
            self.think()
            last[question["id"]] = choices = self.choose(question)
            self.save(attempt_id, question, choices)
        # Second thoughts until the drill has injected every fault, so that each
        # fault finds the whole cohort in the middle of the exam.
        while not (shared.faults_done.is_set() or shared.abort.is_set()):
            self.think()
            question = self.rng.choice(questions)
            choices = self.choose(question, last.get(question["id"]))
            last[question["id"]] = choices
            self.save(attempt_id, question, choices)
        # A submit the server finished but whose answer was lost is retried and
        # answered 200 with the same result: it counts as done.
        result = self.call("submit", "POST", f"/api/attempts/{attempt_id}/submit")
        if isinstance(result, dict) and result.get("state") in ("finished", "expired"):
            shared.count("submitted")
        else:
            result = None
        shared.results.append(
            {"username": self.username, "attempt": attempt_id, "result": result}
        )
