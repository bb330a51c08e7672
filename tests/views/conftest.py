"""Fixtures of the page tests: trainees, logged-in clients, a pinned clock."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory

# Every page test runs at a fixed instant; tests move the clock with ``clock``.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """The frozen clock: ``clock.move_to(t)`` moves it; it never ticks by itself."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def trainee(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_trainee(db):
    return UserFactory(username="bob")


@pytest.fixture
def client_of():
    """A test client logged in as the given user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def seed_quizzes(seeded):
    """The seed document, banks and the 21 seed quizzes, as `make seed` builds them."""
    call_command("create_seed_quizzes", verbosity=0)
