"""Shared fixtures: the persona world, logged-in clients, and browser launch options."""

import os
import shutil
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from frontline.core.testing import PASSWORD, World, build_world

# pytest-playwright runs an event loop in the main thread; Django's live_server is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World):
    """Return a function that gives a Django test client logged in as a persona."""

    def make(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        # Mark the session as just seen, so pinned query counts don't include the idle-timeout write.
        session = client.session
        session["last_seen"] = int(time.time())
        session.save()
        return client

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's chromium (installed by `make test`), never a downloaded browser."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash test passwords quickly; production keeps Django's PBKDF2 default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in Chinese: a request in English leaves English active in its thread
    (LocaleMiddleware activates but never resets), which would change what later tests store."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run transactional tests (browser, races) last: their flush empties rows seeded by data
    migrations (deployment roles, problem categories, holidays) that later tests rely on."""
    items.sort(key=_is_transactional)
