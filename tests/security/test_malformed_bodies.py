"""A body the server cannot read is refused with a clear 4xx, never a 500.

413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for one that cannot be
parsed or read; JSON ``{"error": ...}`` under /api/, a plain page elsewhere. The
same with DEBUG on (django-ninja used to answer a 500 traceback there), and nothing
the trainee saved is lost.
"""

import io
import json

import pytest

from tests.admin.factories import InstructorFactory
from tests.security.bodies import csrf_client, trainee_mid_attempt

pytestmark = pytest.mark.django_db

NO_BOUNDARY = "multipart/form-data"
LIMIT = "2,097,152"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def world(db):
    return trainee_mid_attempt()


def api_urls(world) -> dict[str, str]:
    attempt, question = world.attempt.pk, world.question_id
    return {
        "start": f"/api/quizzes/{world.slug}/attempts",
        "submit": f"/api/attempts/{attempt}/submit",
        "confirm": f"/api/attempts/{attempt}/answers/{question}/confirm",
        "save": f"/api/attempts/{attempt}/answers/{question}",
    }


def form_urls(world) -> dict[str, str]:
    attempt = world.attempt.pk
    return {
        "login": "/accounts/login/",
        "answer": f"/attempts/{attempt}/",
        "submit": f"/attempts/{attempt}/submit/",
        "start": f"/quizzes/{world.slug}/start/",
    }


def send(world, method, url, body: bytes, content_type: str, **extra):
    # CONTENT_TYPE in the environ too: the test client leaves it out of a request
    # whose body is empty (the body then arrives through extra["wsgi.input"]).
    return world.client.generic(
        method,
        url,
        body,
        content_type=content_type,
        HTTP_X_CSRFTOKEN=world.csrf,
        **{"CONTENT_TYPE": content_type, **extra},
    )


def assert_json_error(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    for word in words:
        assert word in message, message


def assert_error_page(response, status: int, *words: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'href="/"' in html
    for word in words:
        assert word in html, html


@pytest.mark.parametrize("endpoint", ["start", "submit", "confirm"])
def test_api_post_with_a_multipart_body_without_boundary_is_a_400(
    world, debug, endpoint
):
    """The three body-less POSTs answer 400 JSON naming the missing boundary."""
    response = send(world, "POST", api_urls(world)[endpoint], b"x=1", NO_BOUNDARY)
    assert_json_error(response, 400, "multipart/form-data without a boundary")
    world.assert_nothing_lost()


@pytest.mark.parametrize("megabytes", [3, 12])
def test_api_autosave_over_the_upload_limit_is_a_413(world, debug, megabytes):
    """An autosave body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 with both sizes."""
    body = b'{"choices": [' + b" " * (megabytes * 1_000_000) + b"]}"
    response = send(world, "PUT", api_urls(world)["save"], body, "application/json")
    assert_json_error(response, 413, f"{len(body):,} bytes", f"limit is {LIMIT}")
    world.assert_nothing_lost()


def test_api_autosave_that_is_not_utf8_is_a_400(world, debug):
    """JSON is UTF-8: a Latin-1 byte in the body is refused, and says where."""
    body = '{"choices": [], "x": "café"}'.encode("latin-1")
    response = send(world, "PUT", api_urls(world)["save"], body, "application/json")
    assert_json_error(response, 400, "not valid UTF-8", f"byte {body.index(0xE9)}")
    world.assert_nothing_lost()


def test_api_autosave_declaring_another_charset_is_a_400(world, debug):
    """A JSON body declared in a charset other than UTF-8 is refused."""
    body = json.dumps({"choices": []}).encode("utf-16")
    response = send(
        world,
        "PUT",
        api_urls(world)["save"],
        body,
        "application/json; charset=utf-16",
    )
    assert_json_error(response, 400, "charset='utf-16'", "UTF-8 only")
    world.assert_nothing_lost()


def test_api_autosave_with_a_truncated_body_is_a_400(world, debug):
    """The client went away mid-body: 400, not the 500 of an unreadable body."""

    class Disconnected(io.BytesIO):
        def read(self, *args):
            raise OSError("client disconnected")

    response = send(
        world,
        "PUT",
        api_urls(world)["save"],
        b"",
        "application/json",
        **{"wsgi.input": Disconnected(), "CONTENT_LENGTH": "40"},
    )
    assert_json_error(response, 400, "ended before its Content-Length (40 bytes)")
    world.assert_nothing_lost()


def test_api_content_length_that_is_not_a_number_is_a_400(world, debug):
    """A Content-Length Django cannot read as a number is named in a 400."""
    response = send(
        world,
        "PUT",
        api_urls(world)["save"],
        b'{"choices": []}',
        "application/json",
        CONTENT_LENGTH="forty",
    )
    assert_json_error(response, 400, "Content-Length header 'forty'")
    world.assert_nothing_lost()


def test_api_refusal_makes_no_database_query(world, django_assert_num_queries):
    """The guard is on the autosave path: refusing costs no query (not even the
    session's)."""
    body = b"{" + b" " * 3_000_000 + b"}"
    with django_assert_num_queries(0):
        response = send(world, "PUT", api_urls(world)["save"], body, "application/json")
    assert response.status_code == 413


def test_an_ordinary_autosave_passes_the_guard(world):
    """The guard lets a well-formed autosave through, and it is saved."""
    choice = world.attempt.answers.get(question_id=world.question_id).choice_order[-1]
    body = json.dumps({"choices": [choice]}).encode()
    response = send(world, "PUT", api_urls(world)["save"], body, "application/json")
    assert response.status_code == 200, response.content
    answer = world.attempt.answers.get(question_id=world.question_id)
    assert answer.choice_ids == [choice]


@pytest.mark.parametrize("form", ["login", "answer", "submit", "start"])
def test_form_post_with_a_multipart_body_without_boundary_is_a_400_page(
    world, debug, form
):
    """Each HTML form answers a plain 400 page naming the missing boundary."""
    response = send(world, "POST", form_urls(world)[form], b"x=1", NO_BOUNDARY)
    assert_error_page(response, 400, "multipart/form-data without a boundary")
    world.assert_nothing_lost()


@pytest.mark.parametrize("megabytes", [3, 12])
def test_answer_form_over_the_upload_limit_is_a_413_page(world, debug, megabytes):
    """An oversized form body: a 413 page with both sizes."""
    body = b"choice=" + b"1" * (megabytes * 1_000_000)
    response = send(
        world,
        "POST",
        form_urls(world)["answer"],
        body,
        "application/x-www-form-urlencoded",
    )
    assert_error_page(response, 413, f"{len(body):,} bytes", f"limit is {LIMIT}")
    world.assert_nothing_lost()


def test_multipart_form_fields_over_the_limit_are_a_413_page(world, debug):
    """Multipart is judged by its fields, not its length: 3 MB of field is 413."""
    response = world.client.post(
        form_urls(world)["answer"],
        {"choice": "1" * 3_000_000},
        HTTP_X_CSRFTOKEN=world.csrf,
    )
    assert_error_page(response, 413, "form fields", f"limit of {LIMIT}")
    world.assert_nothing_lost()


def test_form_with_an_invalid_boundary_is_a_400_page(world, debug):
    """A boundary Django's parser refuses (over 200 characters) is named on the
    page, escaped and cut short."""
    boundary = "<" * 250
    response = send(
        world,
        "POST",
        form_urls(world)["answer"],
        f"--{boundary}\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )
    assert_error_page(response, 400, "invalid boundary &#x27;" + "&lt;" * 60 + "…")
    world.assert_nothing_lost()


def test_answer_form_cut_short_is_a_400_page(world, debug):
    """A form body that ends before its Content-Length is refused, not saved in
    part: here the cut drops the choices, which would have cleared the answer."""
    full = f"question={world.question_id}&action=save&choices=1".encode()
    sent = full[: full.index(b"&choices")]
    response = send(
        world,
        "POST",
        form_urls(world)["answer"],
        b"",
        "application/x-www-form-urlencoded",
        **{"wsgi.input": io.BytesIO(sent), "CONTENT_LENGTH": str(len(full))},
    )
    assert_error_page(
        response, 400, f"ended after {len(sent)} bytes", f"says {len(full)}"
    )
    world.assert_nothing_lost()


def test_form_declaring_a_charset_other_than_utf8_is_a_400_page(world, debug):
    """Django refuses a urlencoded body in another charset than UTF-8, then its
    400 handler read the body again for the CSRF token and raised: a 500."""
    response = send(
        world,
        "POST",
        form_urls(world)["login"],
        "username=café".encode("latin-1"),
        "application/x-www-form-urlencoded; charset=latin-1",
    )
    assert_error_page(response, 400, "must be UTF-8 encoded")
    world.assert_nothing_lost()


def test_login_with_a_content_length_that_is_not_a_number_is_a_400_page(world, debug):
    """Django's body read turned a non-numeric Content-Length into a 500."""
    response = send(
        world,
        "POST",
        form_urls(world)["login"],
        b"username=a&password=b",
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH="forty",
    )
    assert_error_page(response, 400, "Content-Length header &#x27;forty&#x27;")


def test_error_page_carries_the_site_security_headers(world):
    """The page echoes part of the request, so it keeps the CSP and framing ban."""
    response = send(world, "POST", form_urls(world)["answer"], b"x", NO_BOUNDARY)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def instructor_client(db):
    return csrf_client(InstructorFactory())


def test_admin_upload_without_boundary_is_a_400_page(instructor_client, debug):
    """The document upload, as an instructor: 400 page, not the bare 400."""
    client, token = instructor_client
    response = client.generic(
        "POST",
        "/admin/quizzes/sourcedocument/add/",
        b"x",
        content_type=NO_BOUNDARY,
        HTTP_X_CSRFTOKEN=token,
    )
    assert_error_page(response, 400, "multipart/form-data without a boundary")


def test_admin_upload_of_a_large_file_reaches_the_form(instructor_client):
    """File bytes do not count toward the body limit: a file of 5 MB and 1 byte
    passes the guard and is refused by the upload form's own 5 MB rule."""
    client, token = instructor_client
    upload = io.BytesIO(b"# Big\n" + b"x" * (5 * 1024 * 1024 - 5))
    upload.name = "big.md"
    response = client.post(
        "/admin/quizzes/sourcedocument/add/",
        {"file": upload, "title": "Big"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert "the file is 5,242,881 bytes; the limit is 5,242,880" in (
        response.content.decode()
    )
