from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "fixtures" / "ketamine-clinical-overview.txt"
SEED_MARKDOWN = ROOT / "fixtures" / "ketamine-clinical-overview.md"
BANKS = ROOT / "fixtures" / "banks"
# Issue 10: an instructor's notes whose "How it is given" (sentence case, line 4) and
# "Monitoring:" (a trailing colon, line 7) headings the shape rule does not take.
SEDATION_NOTES = ROOT / "tests" / "data" / "sedation-notes.txt"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with empty caches: a cached item analysis is keyed by a
    quiz's id, which a rolled-back test can hand to the next one; an LTI nonce or
    keyset must not outlive its test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def staging_dir(settings, tmp_path):
    """Uploads waiting between a document's preview and its import go to the
    test's own directory."""
    settings.DOCUMENT_STAGING_DIR = tmp_path / "staging"
    return settings.DOCUMENT_STAGING_DIR


@pytest.fixture
def seeded(db):
    """The seed document, its question banks and quizzes, as `make run` loads them."""
    call_command(
        "import_document", str(SEED_MARKDOWN), title="Ketamine Clinical Overview"
    )
    call_command("load_banks", str(BANKS))
    call_command("create_seed_quizzes")


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine} {database.get('HOST') or ''}"


# Fixtures through which a test reaches the database (pytest-django's, and so every
# fixture built on them: `seeded`, `live_server`, the factories' users…).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(config, items):
    """With BACKEND_INDEPENDENT_TESTS=skip on PostgreSQL, leave out the tests whose
    result cannot depend on the database backend: those that never touch the
    database (parsers, scheduling, statistics… are pure code) and those marked
    ``backend_independent`` (a page's layout, axe, headers, screenshots). CI runs
    them once, in the SQLite run."""
    import os

    from django.conf import settings

    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("BACKEND_INDEPENDENT_TESTS") != "skip" or not on_postgresql:
        return
    kept, left_out = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") or (
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        once = item.get_closest_marker("backend_independent") or not uses_database
        (left_out if once else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
