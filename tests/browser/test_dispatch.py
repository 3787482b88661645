"""The matching flow in a browser, on a desktop and on a phone: run, read the reasons, approve."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from playwright.sync_api import BrowserContext, expect

from frontline.dispatch.models import DeploymentRole
from frontline.dispatch.services import CampaignData, PostNeedData, campaign_create, post_need_create

# Transactional tests flush the tables between tests, data migrations included: seed the roles again.
seed_roles = importlib.import_module("frontline.dispatch.migrations.0002_seed_deployment_roles").seed

pytestmark = pytest.mark.browser


@pytest.fixture
def small_campaign(browser_world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    world = browser_world
    seed_roles(apps, None)
    campaign = campaign_create(
        actor=None,
        data=CampaignData(
            name="新港园区干部素质提升年",
            organizing_unit=world.xingang,
            start_date=date(2025, 3, 1),
            status="active",
            targets={"enterprise": 1},
        ),
    )
    post_need_create(
        actor=None,
        post=world.xingang_enterprise,
        data=PostNeedData(
            role=DeploymentRole.objects.get(code="party_building_instructor"),
            preferred_units=[world.xingang_office],
            campaign=campaign,
        ),
    )
    return campaign


def test_an_official_runs_a_matching_reads_the_reasons_and_approves_it(
    context: BrowserContext, login, live_server, small_campaign
):
    page = login(context.new_page(), "xingang")
    page.goto(f"{live_server.url}{small_campaign.get_absolute_url()}")
    expect(page.get_by_role("heading", name="新港园区干部素质提升年")).to_be_visible()
    page.get_by_role("button", name="开始匹配").click()

    expect(page.get_by_role("heading", name="匹配结果及理由")).to_be_visible()
    match = page.locator("#assignments tbody tr").first
    expect(match).to_contain_text("陈明")
    expect(match).to_contain_text("弘盛铜业")
    reason = match.get_by_text("首选部门 ✓（新港园区项目建设指挥部办公室）")
    expect(reason).to_be_visible()
    expect(page.locator("#unassigned")).to_contain_text("张文强")
    expect(page.locator("#fill-rates")).to_contain_text("100%")

    # The approval is a background task; here tasks run at once, so the page shows it done.
    page.get_by_role("button", name="批准方案并生成任职").click()
    expect(page.locator("#approved")).to_contain_text("方案已批准：新派 1 人")
    page.locator("#approved").get_by_role("link", name="查看本行动的下沉任职").click()
    expect(page.locator("#deployments")).to_contain_text("陈明")
    expect(page.locator('#campaign-progress tr[data-kind="enterprise"]')).to_contain_text("1")
