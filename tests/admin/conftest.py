import pytest

from tests.admin.factories import InstructorFactory, SuperuserFactory
from tests.factories import UserFactory
from tests.progress.cohort import cohort  # noqa: F401  (a fixture)


@pytest.fixture
def instructor(db):
    return InstructorFactory()


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def trainee(db):
    return UserFactory()


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client
