"""Fuzz the JSON API from its own OpenAPI schema (schemathesis, in-process WSGI).

Every generated case is sent as a logged-in trainee with a valid CSRF token, so the
fuzz reaches the validation and the services rather than stopping at the login.
Path ids are steered onto real objects for part of the cases (even numbers), so the
deep paths run too. Passing means: no 5xx, and every response conforms to the
schema (status code documented, body matching its declared shape).

Two phases run: fuzzing (random cases, CASES_PER_OPERATION each) and coverage
(schemathesis's systematic cases: boundary values, wrong types, missing
parameters, undeclared methods, and the Content-Type probes that found the
multipart-without-boundary 500s). A probe must be refused with a JSON error:
with DEBUG off, Django turns a body it cannot parse into a bare HTML 400, which
hides the 500 that django-ninja answers under DEBUG (``make run``).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation.meta import CONTENT_TYPE_PROBES, TestPhase

from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

CASES_PER_OPERATION = 200
OPERATIONS = 5
cases_run = {"count": 0, "fuzzing": 0, "coverage": 0, "content_type_probes": 0}
# A header the transport must not rewrite (see VerbatimContentType).
RAW_CONTENT_TYPE = "X-Fuzz-Content-Type"


class VerbatimContentType:
    """Deliver a case's Content-Type as the case wrote it.

    schemathesis calls the app through werkzeug's test client, which gives a
    ``multipart/form-data`` without a boundary a boundary of its own: the coverage
    phase's malformed-Content-Type probe would never arrive as sent. A real HTTP
    client sends the header verbatim; this WSGI wrapper does the same for the
    cases that carry it in RAW_CONTENT_TYPE.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        raw = environ.pop("HTTP_" + RAW_CONTENT_TYPE.upper().replace("-", "_"), None)
        if raw is not None:
            environ["CONTENT_TYPE"] = raw
        return self.app(environ, start_response)


def api_schema_without_auth():
    """The served schema, minus its session-cookie security scheme.

    The fuzz sends a real session and CSRF token with every case; left in, the
    scheme would make schemathesis generate cases "without" the cookie that the
    transport then adds back. Authentication is covered by its own tests.
    Loaded at import: serving the schema touches no database (and schemathesis's
    lazy ``from_fixture`` loader does not run on pytest 9).
    """
    document = Client().get("/api/openapi.json").json()
    document.get("components", {}).pop("securitySchemes", None)
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = VerbatimContentType(get_wsgi_application())
    return loaded


schema = api_schema_without_auth()


@pytest.fixture
def world(db, client):
    """A trainee with an attempt in progress, and the headers of their session."""
    trainee = UserFactory()
    section = SectionFactory()
    quiz = QuizFactory(
        slug="fuzz-quiz",
        with_questions=[QuestionFactory(section=section) for _ in range(3)],
    )
    client.force_login(trainee)
    attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    # The WSGI handler closes the database connection after each request; Django's
    # test client switches that off around its own requests (and back on after
    # them), so the fuzz must too, or the test's transaction would be lost.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "headers": {"X-CSRFToken": token},
        "cookies": cookies,
        "attempt_id": attempt["id"],
        "question_id": attempt["questions"][0]["id"],
        "slug": quiz.slug,
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def steer(case, world, *, always: bool = False):
    """Point even ids (and even-length slugs) at real objects; every one if always."""
    params = case.path_parameters or {}
    if always:
        for name, key in [("attempt_id", "attempt_id"), ("question_id", "question_id")]:
            if name in params:
                params[name] = world[key]
        if "slug" in params:
            params["slug"] = world["slug"]
        return
    if isinstance(params.get("attempt_id"), int) and params["attempt_id"] % 2 == 0:
        params["attempt_id"] = world["attempt_id"]
    if isinstance(params.get("question_id"), int) and params["question_id"] % 2 == 0:
        params["question_id"] = world["question_id"]
    if isinstance(params.get("slug"), str) and len(params["slug"]) % 2 == 0:
        params["slug"] = world["slug"]


@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_never_answers_5xx_and_conforms_to_its_schema(case, world):
    phase = case.meta.phase if case.meta else None
    scenario = getattr(getattr(phase, "data", None), "scenario", None)
    probe = scenario in CONTENT_TYPE_PROBES
    # A probe is aimed at real objects, so that it meets the body parsing and not a
    # 404 (the CSRF check reads a POST body before the view looks anything up).
    steer(case, world, always=probe)
    headers = dict(world["headers"])
    if probe:
        headers[RAW_CONTENT_TYPE] = case.headers["Content-Type"]
    response = case.call(headers=headers, cookies=world["cookies"])
    cases_run["count"] += 1
    if phase is not None and phase.name in (TestPhase.FUZZING, TestPhase.COVERAGE):
        cases_run[str(phase.name)] += 1
    cases_run["content_type_probes"] += probe
    assert response.status_code < 500, response.text
    if probe and case.method != "GET":
        # Refused with a reason, as JSON, before the body is parsed (or the
        # undeclared type parsed anyway, for an autosave whose body is still JSON).
        assert response.status_code in (200, 400, 415), response.text
        if response.status_code != 200:
            assert response.json()["error"], response.text
    # positive_data_acceptance is left out on purpose: a schema-valid body can still
    # break a business rule (a choice id that is not an option of the question), and
    # the API answers that with 400 as specified.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_fuzz_ran_at_least_a_thousand_cases_and_the_coverage_phase():
    """Runs after the fuzz (file order): the fuzzing budget was really spent, and
    the coverage phase ran, Content-Type probes included."""
    print(f"schemathesis cases run: {cases_run}")
    assert cases_run["fuzzing"] >= 1000, cases_run
    assert cases_run["coverage"] > 0, cases_run
    assert cases_run["content_type_probes"] > 0, cases_run
