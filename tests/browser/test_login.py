import pytest
from playwright.sync_api import BrowserContext, expect

pytestmark = pytest.mark.browser


def test_an_official_logs_in_and_sees_the_workbench(context: BrowserContext, login, live_server):
    page = login(context.new_page(), "xingang")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.locator(".tile").first).to_contain_text("3")


def test_a_wrong_password_shows_a_clear_message(context: BrowserContext, live_server, browser_world):
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("xingang")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
