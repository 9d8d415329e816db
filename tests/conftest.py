"""Shared fixtures: named personas, one per role, plus an outsider with no role at all."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import make_user

# The worker and server processes tests start (qcluster, runserver) run no content analysis: each analyser
# loads a model and reads every upload, which those tests neither need nor wait for. (The test process
# itself runs none unless a test names them in settings.DAM_ANALYSERS.)
os.environ.setdefault("DAM_ANALYSERS", "none")

PERSONAS = {
    "admin": Role.ADMIN,
    "librarian": Role.LIBRARIAN,
    "brand_manager": Role.BRAND_MANAGER,
    "editor": Role.EDITOR,
    "contributor": Role.CONTRIBUTOR,
    "viewer": Role.VIEWER,
    "outsider": None,
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file rather than in memory.

    Threads share an in-memory SQLite database only through "shared cache",
    where a second writer fails at once with "database table is locked"
    instead of waiting on the busy timeout as it does in production; the
    concurrency tests (tests/workflows/test_concurrency.py) need the real
    behaviour. The file goes to /dev/shm where there is one: a disk file
    doubles the suite's time.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        yield
        return
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="dam-tests-", dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("db")
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Every test writes its files under its own temporary folder: stored files, and the uploads and
    archives being unpacked, which would otherwise share the checkout's var/tmp with the other
    database's suite running beside this one (make test)."""
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tmp_path / "media", "base_url": None}},
    }
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: failed-attempt counters (accounts.throttle) of one test must not
    throttle the next, which comes from the same address."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(db):
    """alice the admin, and one user per role; `outsider` has no role."""
    return {name: make_user(name, role) for name, role in PERSONAS.items()}


def _client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(people):
    """API clients by persona name, e.g. api["editor"].get(...)."""
    return {name: _client_for(user) for name, user in people.items()}


@pytest.fixture
def web(people, client):
    """Logs a Django test client in as a persona: web("viewer")."""
    def login(name):
        client.force_login(people[name])
        return client
    return login


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "live_server"}


def _touches_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a database other than SQLite, run only the tests that open the database.

    `make test` runs the suite twice, once on SQLite and once on PostgreSQL; a test that never opens the
    database (a parser, a decoder, a settings helper) would only repeat itself, and CI has 20 minutes.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    kept = [item for item in items if _touches_database(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if not _touches_database(item)])
        items[:] = kept
