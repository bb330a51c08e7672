"""Fuzz the JSON API from its own OpenAPI schema (schemathesis, in-process WSGI).

Every generated case is sent as a logged-in trainee with a valid CSRF token, so the
fuzz reaches the validation and the services rather than stopping at the login.
Path ids are steered onto real objects for part of the cases (even numbers), so the
deep paths run too. Passing means: no 5xx, and every response conforms to the
schema (status code documented, body matching its declared shape).
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

from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

CASES_PER_OPERATION = 220
OPERATIONS = 5
cases_run = {"count": 0}


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
    loaded.app = get_wsgi_application()
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


def steer(case, world):
    """Point even ids (and even-length slugs) at real objects."""
    params = case.path_parameters or {}
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
    steer(case, world)
    response = case.call(headers=world["headers"], cookies=world["cookies"])
    cases_run["count"] += 1
    assert response.status_code < 500, response.text
    # positive_data_acceptance is left out on purpose: a schema-valid body can still
    # break a business rule (a choice id that is not an option of the question), and
    # the API answers that with 400 as specified.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_fuzz_ran_at_least_a_thousand_cases():
    """Runs after the fuzz (file order): the budget of cases was really spent."""
    print(f"schemathesis cases run: {cases_run['count']}")
    assert cases_run["count"] >= 1000, cases_run
