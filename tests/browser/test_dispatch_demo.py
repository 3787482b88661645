"""The Luohe case of the demo, in a browser: the flour mill's own need is met by a matching run.

Only the Luohe part of the demo is built (its regions, units, cadres and the flour mill, with the
demo's own builder), then its campaign and the mill's stated need as `frontline demo` makes them,
but without the approved run: the test runs the matching from the campaign page and approves it.
Both steps are background tasks on the database queue, as in production; the test plays the
worker while the page shows the progress bar and polls, then sees the page update itself.
"""

import importlib
import random
from collections.abc import Iterator

import pytest
from django.apps import apps
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Browser, Page, Route, expect

from frontline.cadres.models import Cadre, Rank
from frontline.core.models import User
from frontline.core.testing import PASSWORD
from frontline.demo.builder import SEED, _DemoBuilder
from frontline.demo.dispatching import luohe_campaign
from frontline.dispatch.models import Campaign, Deployment, DeploymentRole, MatchingRun
from tests.browser.conftest import DESKTOP

seed_roles = importlib.import_module("frontline.dispatch.migrations.0002_seed_deployment_roles").seed

pytestmark = pytest.mark.browser

MILL = "中粮面业（漯河）有限公司"
GRAIN_BUREAU = "漯河市粮食和物资储备局"


@pytest.fixture
def luohe_demo(transactional_db: None, django_db_serialized_rollback: None, settings) -> Campaign:
    """The demo's Luohe part in a committed database, and the demo-luohe account."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seed_roles(apps, None)
    builder = _DemoBuilder(rnd=random.Random(SEED), log=lambda _message: None)
    builder.load_regions(all_regions=False)
    builder.create_roles()
    builder.create_units()
    builder.luohe()
    campaign = luohe_campaign(builder.units, {r.code: r for r in DeploymentRole.objects.all()})
    user = User(username="demo-luohe", full_name="漯河组织部", unit=builder.units["luohe"])
    user.set_password(PASSWORD)
    user.save()
    user.roles.set([builder.roles["org-department"]])
    return campaign


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(locale="zh-CN", **DESKTOP)  # type: ignore[arg-type]
    ctx.set_default_timeout(20_000)  # two background tasks and a busy machine: allow for both
    yield ctx.new_page()
    ctx.close()


def run_worker(page: Page) -> None:
    """Run the queued tasks as `frontline db_worker` would, with the page's polling held meanwhile.

    The held status requests wait in the browser and go out once the worker is done, so the page
    sees the finished task on its next poll (and the live server never serves a poll while the
    worker writes: on SQLite both share one in-memory connection).
    """
    held: list[Route] = []
    worker_done = False

    def hold(route: Route) -> None:
        if worker_done:
            route.continue_()
        else:
            held.append(route)

    page.route("**/status/", hold)
    for _tick in range(100):  # htmx sends no new poll while one is pending: none is in flight now
        if held:
            break
        page.wait_for_timeout(50)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    worker.run()  # what `frontline db_worker` runs, without taking over the process's signals
    worker_done = True
    for route in held:
        route.continue_()
    page.unroute("**/status/", hold)


def test_the_mills_need_for_a_grain_bureau_cadre_is_met_by_a_matching_run_in_the_ui(
    live_server, luohe_demo: Campaign, page: Page
) -> None:
    deputy = Cadre.objects.get(home_unit__name=GRAIN_BUREAU, rank=Rank.DEPUTY_DIVISION)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("demo-luohe")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{luohe_demo.get_absolute_url()}")
    expect(page.get_by_role("heading", name=luohe_demo.name)).to_be_visible()
    page.get_by_role("button", name="开始匹配").click()

    # The run is queued: a progress bar that polls, until the worker has computed the plan.
    status = page.locator("#run-status")
    expect(status).to_contain_text("排队中")
    expect(status.locator("progress")).to_be_visible()
    run_worker(page)

    expect(page.get_by_role("heading", name="匹配结果及理由")).to_be_visible()
    match = page.locator("#assignments tbody tr").filter(has_text=MILL)
    expect(match).to_contain_text(deputy.name)
    expect(match).to_contain_text(GRAIN_BUREAU)
    expect(match.get_by_text(f"首选部门 ✓（{GRAIN_BUREAU}）")).to_be_visible()
    expect(match.get_by_text("专长匹配 1/1（粮食流通）")).to_be_visible()
    expect(page.locator("#fill-rates")).to_contain_text("100%")

    page.get_by_role("button", name="批准方案并生成任职").click()
    expect(page.get_by_role("status").first).to_contain_text("已提交批准，正在后台生成任职")
    expect(status).to_contain_text("批准中")
    expect(status.locator("progress")).to_be_visible()
    assert not Deployment.objects.exists()  # nothing is written until the task has run
    run_worker(page)

    approved = page.locator("#approved")
    expect(approved).to_contain_text("方案已批准：新派 1 人")
    approved.get_by_role("link", name="查看本行动的下沉任职").click()
    expect(page.locator("#deployments")).to_contain_text(deputy.name)
    expect(page.locator("#deployments")).to_contain_text(MILL)
    expect(page.locator('#campaign-progress tr[data-kind="enterprise"]')).to_contain_text("1")

    deployment = Deployment.objects.get()
    assert (deployment.cadre, deployment.post.name) == (deputy, MILL)
    assert MatchingRun.objects.get().approved_by == User.objects.get(username="demo-luohe")
