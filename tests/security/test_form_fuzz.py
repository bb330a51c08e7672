"""Fuzz the HTML form endpoints with bodies a browser would never send.

hypothesis draws a Content-Type (multipart without or with a garbage boundary,
unknown types, bogus charsets), a body (the endpoint's own form in UTF-8, Latin-1
or UTF-16, as urlencoded or multipart; random bytes; invalid UTF-8; 3 MB; 1,100
fields) and a way to deliver it (whole; cut short of its Content-Length; the
client going away mid-body; a Content-Length of 12 MB or not a number). The
environ is built by hand (through the test client's ``extra``), so the
Content-Type and Content-Length arrive exactly as drawn.

Passing means: no 5xx, and after every case the trainee's saved answer and the
attempt's state are unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.admin.factories import InstructorFactory
from tests.security.bodies import World, csrf_client, trainee_mid_attempt

pytestmark = pytest.mark.django_db

CASES_PER_ENDPOINT = 120
ENDPOINTS = ["login", "answer", "submit", "start", "upload"]
BOUNDARY = "fuzzFormBoundary7MA4YWxk"
BIG = b"x=" + b"1" * 3_000_000
MANY_FIELDS = b"&".join(b"f%d=1" % n for n in range(1_100))
cases_run = {"count": 0, "status": {}}


@dataclass
class Target:
    """An endpoint, who posts to it, and the fields of its real form."""

    client: object
    url: str
    csrf: str | None
    fields: dict[str, str]
    file_field: str | None = None


def targets(world: World, instructor_client) -> dict[str, Target]:
    attempt = world.attempt.pk
    client, token = instructor_client
    answer = {
        "question": str(world.question_id),
        # Always the saved choice: a body that does get through saves the same
        # answer again, so any change to it is a loss, not the fuzz's doing.
        "choices": str(world.saved_choices[0]),
        "action": "save",
    }
    return {
        "login": Target(
            world.client,
            "/accounts/login/",
            world.csrf,
            {"username": "someone", "password": "wrong"},
        ),
        "answer": Target(world.client, f"/attempts/{attempt}/", world.csrf, answer),
        # No CSRF token: a readable body would finish the attempt. The CSRF check
        # still parses the body (for the form's token) before it refuses.
        "submit": Target(world.client, f"/attempts/{attempt}/submit/", None, {}),
        "start": Target(world.client, f"/quizzes/{world.slug}/start/", world.csrf, {}),
        "upload": Target(
            client,
            "/admin/quizzes/sourcedocument/add/",
            token,
            {"title": "Fuzzed"},
            file_field="file",
        ),
    }


# --- what is drawn -------------------------------------------------------------

latin1_text = st.text(
    alphabet=st.characters(max_codepoint=255, exclude_categories=["Cs"]), max_size=60
)
charsets = st.sampled_from(["utf-8", "latin-1", "utf-16", "klingon", "", "UTF-8;;"])
content_types = st.one_of(
    st.just("multipart/form-data"),
    latin1_text.map(lambda b: f"multipart/form-data; boundary={b}"),
    st.just(f"multipart/form-data; boundary={BOUNDARY}"),
    charsets.map(lambda c: f"multipart/form-data; boundary={BOUNDARY}; charset={c}"),
    st.just("application/x-www-form-urlencoded"),
    charsets.map(lambda c: f"application/x-www-form-urlencoded; charset={c}"),
    st.sampled_from(
        ["application/json", "text/plain", "application/xml", "x-unknown/y", ""]
    ),
    latin1_text,
)
encodings = st.sampled_from(["utf-8", "latin-1", "utf-16"])
extra_fields = st.dictionaries(
    latin1_text.map(lambda k: f"x_{k}"), latin1_text, max_size=3
)


def multipart(fields: dict[str, str], file_field: str | None, encoding: str) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode(encoding, errors="replace")
        )
    if file_field:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
            'filename="fuzz.md"\r\nContent-Type: text/markdown\r\n\r\n'
            "# Fuzz\n\nA line é.\r\n".encode(encoding, errors="replace")
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@st.composite
def bodies(draw, target: Target) -> bytes:
    kind = draw(
        st.sampled_from(
            ["urlencoded", "multipart", "random", "bad-utf8", "big", "many-fields"]
        )
    )
    fields = {**target.fields, **draw(extra_fields)}
    encoding = draw(encodings)
    if kind == "urlencoded":
        return urlencode(fields, encoding=encoding, errors="replace").encode()
    if kind == "multipart":
        return multipart(fields, target.file_field, encoding)
    if kind == "random":
        return draw(st.binary(max_size=2_000))
    if kind == "bad-utf8":
        return b"username=\xff\xfe&password=caf\xe9&question=\xc3(&title=\xed\xa0\x80"
    if kind == "big":
        return BIG
    return MANY_FIELDS


class Disconnected(io.BytesIO):
    """The client goes away after the bytes it sent: the server's read fails."""

    def read(self, *args):
        data = super().read(*args)
        if not data:
            raise OSError("client disconnected")
        return data


deliveries = st.sampled_from(
    ["whole", "cut-short", "disconnected", "declared-12MB", "not-a-number"]
)


def environ(body: bytes, content_type: str, delivery: str) -> dict:
    length = {
        "whole": str(len(body)),
        "cut-short": str(len(body) + 1_000),
        "disconnected": str(len(body) + 1_000),
        "declared-12MB": str(12_000_000),
        "not-a-number": "forty",
    }[delivery]
    stream = Disconnected(body) if delivery == "disconnected" else io.BytesIO(body)
    return {
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": length,
        "wsgi.input": stream,
    }


# --- the fuzz ------------------------------------------------------------------


@pytest.fixture
def world(db):
    return trainee_mid_attempt()


@pytest.fixture
def instructor_client(db):
    return csrf_client(InstructorFactory())


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_form_endpoints_never_answer_5xx_and_lose_nothing(
    world, instructor_client, endpoint
):
    target = targets(world, instructor_client)[endpoint]
    headers = {"HTTP_X_CSRFTOKEN": target.csrf} if target.csrf else {}

    @given(content_type=content_types, body=bodies(target), delivery=deliveries)
    @settings(
        max_examples=CASES_PER_ENDPOINT,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def case(content_type, body, delivery):
        response = target.client.generic(
            "POST", target.url, b"", **headers, **environ(body, content_type, delivery)
        )
        cases_run["count"] += 1
        status = cases_run["status"]
        status[response.status_code] = status.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, delivery)
        world.assert_nothing_lost()

    case()


def test_form_fuzz_ran_its_cases():
    """Runs after the fuzz (file order): every endpoint's budget was spent."""
    print(f"form fuzz cases run: {cases_run}")
    assert cases_run["count"] >= CASES_PER_ENDPOINT * len(ENDPOINTS), cases_run
