"""The appraisal in a browser, on a desktop and on a phone: compute a month, open a cadre's score,
click a figure to see the problems behind it, and nominate the cadre to the reserve pool."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import BrowserContext, expect

from frontline.appraisal.tests.factories import make_period_with_scores

# Transactional tests flush the tables between tests, data migrations included: seed the roles again.
seed_roles = importlib.import_module("frontline.dispatch.migrations.0002_seed_deployment_roles").seed

pytestmark = pytest.mark.browser


@pytest.fixture
def june(browser_world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    seed_roles(apps, None)
    return make_period_with_scores(browser_world, compute_now=False)


def test_an_official_computes_a_month_traces_a_score_to_its_problems_and_nominates_the_cadre(
    context: BrowserContext, login, live_server, june
):
    page = login(context.new_page(), "xingang")
    page.goto(f"{live_server.url}{june.period.get_absolute_url()}")
    expect(page.locator("#period-status")).to_contain_text("待计算")
    page.get_by_role("button", name="开始计算").click()

    status = page.locator("#period-status")
    expect(status).to_contain_text("待审核")
    expect(status).to_contain_text("已计算 6 / 6 人")
    expect(page.locator("#period-status progress")).to_have_attribute("value", "6")
    expect(page.locator("#scores tbody tr")).to_have_count(5)  # 崔艳 is Zengdu's

    # Click 1: the cadre's score page, every dimension with its inputs and formulas.
    page.locator("#scores").get_by_role("link", name="赵网").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("赵网")
    for name in ("攻坚能力", "服务意识", "创新思维", "协调能力", "群众评价", "廉洁自律"):
        expect(page.locator(".dimension h3", has_text=name)).to_be_visible()
    expect(page.locator("#dimension-0")).to_contain_text("问题类别难度系数")

    # Click 2: the figure of problems resolved (4 problems × 1.2 points) opens the rows behind it.
    page.locator("#dimension-0").get_by_role("link", name="4.8 / 4.0").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("解决问题数")
    rows = page.locator("#evidence tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("群众反映的问题")
    expect(rows.first).to_contain_text("新港社区第一网格")

    # From the score page to the reserve pool.
    page.go_back()
    page.get_by_role("link", name="推荐进入后备干部库").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("提名后备干部")
    expect(page.get_by_label("干部", exact=True)).to_have_value(str(june.grid_heads[2].pk))
    page.get_by_label("推荐理由").fill("六月解决群众问题 4 件，全部按期办结，群众满意。")
    page.get_by_role("button", name="提名").click()
    expect(page.get_by_role("status").first).to_contain_text("已提名 赵网，待审批")
