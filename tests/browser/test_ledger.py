"""The whole loop in a browser: a grid head logs a problem, the department accepts and resolves
it, the requester rates it through the tracking code; the supervisor sees an overdue item."""

import re
from datetime import date

import pytest
from playwright.sync_api import BrowserContext, expect

from frontline.core.testing import World
from frontline.ledger.models import Problem
from frontline.ledger.services import escalate_overdue
from frontline.ledger.tests.factories import act, build_ledger_world, make_problem

pytestmark = pytest.mark.browser


def test_a_problem_goes_from_the_grid_head_to_the_department_to_the_requesters_rating(
    context: BrowserContext, login, live_server, browser_world: World
):
    build_ledger_world(browser_world)
    page = login(context.new_page(), "grid")
    page.goto(f"{live_server.url}/ledger/")
    page.get_by_role("link", name="＋ 登记问题").click()
    page.get_by_label("阵地").select_option(label="弘盛铜业")
    page.get_by_label("问题类别").select_option(label="用地审批")
    page.get_by_label("问题描述").fill("二期厂房用地预审材料被退回，影响开工")
    page.get_by_label("诉求人类型").select_option(label="企业")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("二期厂房用地预审材料被退回")
    code = page.locator(".code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)

    page.get_by_label("承办部门").select_option(label="黄石市自然资源和规划局")
    page.get_by_role("button", name="交办").click()
    expect(page.get_by_role("status").first).to_contain_text("已交办")

    context.clear_cookies()
    page = login(page, "land")
    page.goto(f"{live_server.url}/ledger/inbox/")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_role("status").first).to_contain_text("已签收")
    page.get_by_role("link", name="二期厂房用地预审材料被退回").click()
    page.get_by_label("办理结果").fill("已协调市局完成用地预审批复。")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("h1 .status")).to_have_text("已办结待回访")

    context.clear_cookies()
    page.goto(f"{live_server.url}/ledger/t/")
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已协调市局完成用地预审批复。")).to_be_visible()
    page.get_by_label("5 非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status").first).to_contain_text("感谢您的评价")
    expect(page.locator(".status")).to_have_text("已关闭")
    assert Problem.objects.get(tracking_code=code).rating.score == 5


def test_the_supervisor_sees_an_overdue_item_escalate(context: BrowserContext, login, live_server, browser_world):
    lw = build_ledger_world(browser_world)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="拖着没人管的问题")
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    escalate_overdue(today=date(2099, 1, 1))
    page = login(context.new_page(), "xingang")
    page.goto(f"{live_server.url}/ledger/board/")
    overdue = page.locator("h2", has_text="超期问题").locator("xpath=following-sibling::div[1]")
    expect(overdue).to_contain_text("拖着没人管的问题")
    overdue.get_by_role("link", name="拖着没人管的问题").click()
    expect(page.locator(".timeline")).to_contain_text("超期升级")
    expect(page.locator("dl.fields")).to_contain_text("县区")
