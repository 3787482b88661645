"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server."""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from frontline.core.testing import PASSWORD, World, build_world

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def browser_world(transactional_db: None, django_db_serialized_rollback: None) -> World:
    """The persona world in a committed database (the live server runs in another thread).

    Serialized rollback restores the rows that data migrations seed (deployment roles, problem
    categories, holidays) after the flush, so tests that run later still find them.
    """
    return build_world()


@pytest.fixture(params=["desktop", "phone"])
def context(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context, once with a desktop viewport and once with a phone's."""
    options = DESKTOP if request.param == "desktop" else PHONE
    ctx = browser.new_context(locale="zh-CN", **options)  # type: ignore[arg-type]
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def login(live_server, browser_world: World) -> Callable[[Page, str], Page]:
    """Return a function that logs a page in as a persona and returns it."""

    def do(page: Page, username: str) -> Page:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do
