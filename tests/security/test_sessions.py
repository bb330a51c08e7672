"""Sessions: no database write per request, and an ended session ends at once.

Without REDIS_URL the sessions live in the database (``db``); with it, in Redis
written through to the database (``cached_db``, quizsite/settings/base.py). Either
way Django saves a session only when it was modified (SESSION_SAVE_EVERY_REQUEST is
off), and nothing after the login modifies it, so a trainee's autosaves cost no
session write. The user is read from the database on every request, so deactivating
an account (the admin's "Active" box: an instructor's lock-out) or changing its
password ends its sessions on the next request, whatever holds them. django-axes
only refuses logins; it never ends a session.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory
from tests.processes import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
DB = "django.contrib.sessions.backends.db"
ONE_STATEMENT_DB = "quizsite.sessions"
CACHED_DB = "django.contrib.sessions.backends.cached_db"
REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_url():
    """A throwaway redis-server on a free loopback port, nothing persisted."""
    if REDIS_SERVER is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server; "
            ".ci/run installs it)"
        )
    port = free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"redis-server did not answer on port {port}")
            time.sleep(0.05)  # a server starting up, not the clock under test
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def on_redis(settings, redis_url):
    """The settings REDIS_URL gives: the cache in Redis, cached_db sessions."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }
    settings.SESSION_ENGINE = CACHED_DB
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(params=["quizsite.sessions", "db", "cached_db", "cached_db on Redis"])
def engine(request, settings):
    """Each session engine the settings can choose, and Django's own db engine."""
    if request.param == "cached_db on Redis":
        request.getfixturevalue("on_redis")
    else:
        settings.SESSION_ENGINE = {
            "quizsite.sessions": ONE_STATEMENT_DB,
            "db": DB,
            "cached_db": CACHED_DB,
        }[request.param]
    return request.param


@pytest.fixture
def session_writes(monkeypatch):
    """Counts session saves (cached_db saves through the db store's ``save``)."""
    calls = []
    save = DbSessionStore.save

    def counting_save(self, must_create=False):
        calls.append(must_create)
        return save(self, must_create=must_create)

    monkeypatch.setattr(DbSessionStore, "save", counting_save)
    return calls


def log_in(client: Client, user) -> None:
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]


def sit_a_few_requests(client: Client, quiz) -> list[int]:
    """Pages and the exam API, as a trainee's sitting makes them."""
    statuses = [client.get("/").status_code, client.get("/history/").status_code]
    started = client.post(f"/api/quizzes/{quiz.slug}/attempts")
    statuses.append(started.status_code)
    attempt = started.json()
    for question in attempt["questions"]:
        response = client.put(
            f"/api/attempts/{attempt['id']}/answers/{question['id']}",
            data=json.dumps({"choices": [question["choices"][0]["id"]]}),
            content_type="application/json",
        )
        statuses.append(response.status_code)
    statuses.append(client.get(f"/api/attempts/{attempt['id']}").status_code)
    return statuses


def test_a_logged_in_trainee_writes_no_session_after_the_login(engine, session_writes):
    """Logging in writes the session; the pages and autosaves after it write none,
    on any session engine: no session UPDATE or INSERT per request."""
    quiz = QuizFactory(
        with_questions=[QuestionFactory(section=SectionFactory()) for _ in range(5)]
    )
    client = Client()
    log_in(client, UserFactory(username="alice"))
    assert session_writes, "the login itself saves the session"
    session_writes.clear()
    with CaptureQueriesContext(connection) as queries:
        statuses = sit_a_few_requests(client, quiz)
    assert statuses == [200, 200, 201, 200, 200, 200, 200, 200, 200]
    assert session_writes == []
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_logging_out_ends_the_session_at_once_on_redis(on_redis):
    """After a logout the old session cookie is worth nothing on any node: the
    session is gone from Redis and from the database alike."""
    trainee = UserFactory(username="alice")
    client = Client()
    log_in(client, trainee)
    key = client.cookies["sessionid"].value
    store = _store(key)
    assert on_redis.get(store.cache_key) is not None, "the session is in Redis"
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert on_redis.get(store.cache_key) is None
    assert not DbSessionStore().exists(key)
    replay = Client()
    replay.cookies["sessionid"] = key  # the cookie kept, as a second tab would
    assert replay.get("/").status_code == 302  # to the login page
    assert replay.get("/history/").url.startswith("/accounts/login/")


def test_a_deactivated_trainee_is_logged_out_at_once_on_redis(on_redis):
    """Unticking "Active" in the admin ends the trainee's session on the next
    request, although the session itself is still in Redis."""
    quiz = QuizFactory(with_questions=[QuestionFactory(section=SectionFactory())])
    trainee = UserFactory(username="alice")
    client = Client()
    log_in(client, trainee)
    attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert on_redis.get(_store(client.cookies["sessionid"].value).cache_key)
    assert client.get(f"/api/attempts/{attempt['id']}").status_code == 401
    assert client.get("/").status_code == 302


def test_a_password_set_by_an_instructor_logs_the_trainee_out_on_redis(on_redis):
    """A new password (the admin's "change password" form) ends every session
    made with the old one on the next request."""
    trainee = UserFactory(username="alice")
    client = Client()
    log_in(client, trainee)
    assert client.get("/").status_code == 200
    trainee.set_password("another-pw-for-tests")
    trainee.save()
    assert client.get("/").status_code == 302


def test_without_redis_the_session_is_read_in_one_hand_written_statement(settings):
    """Without REDIS_URL the settings choose quizsite.sessions: a request reads its
    session with one SELECT of the key's data, not yet expired, as Django's db
    engine does, without compiling it through the ORM each time."""
    assert settings.SESSION_ENGINE == ONE_STATEMENT_DB
    client = Client()
    log_in(client, UserFactory(username="alice"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/history/").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(reads) == 1
    assert reads[0].startswith("SELECT session_data FROM ")
    assert "expire_date >" in reads[0]


def test_an_expired_session_in_the_database_is_not_read(settings):
    """A session past its expiry date logs nobody in, though its row is still
    there (``clearsessions`` has not run yet)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.SESSION_ENGINE = ONE_STATEMENT_DB
    client = Client()
    log_in(client, UserFactory(username="alice"))
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/history/").url.startswith("/accounts/login/")


def test_logging_out_ends_the_session_at_once_in_the_database(settings):
    """After a logout the old session cookie is worth nothing: the row is gone."""
    settings.SESSION_ENGINE = ONE_STATEMENT_DB
    client = Client()
    log_in(client, UserFactory(username="alice"))
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code in (200, 302)
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/history/").url.startswith("/accounts/login/")


def _store(key: str):
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore(key)
