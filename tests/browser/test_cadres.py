"""The registry's main flows in a real browser, on a desktop and on a phone viewport."""

import pytest
from playwright.sync_api import BrowserContext, FilePayload, expect

from frontline.cadres.models import Cadre
from frontline.excel.tests.sheets import CADRE_HEADER, cadre_row, new_id, xlsx

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_official_searches_by_pinyin_initials_and_opens_a_cadre(context: BrowserContext, login, live_server):
    page = login(context.new_page(), "xingang")
    page.goto(f"{live_server.url}/cadres/")
    page.get_by_role("searchbox").fill("zwq")
    page.get_by_role("button", name="搜索").click()
    link = page.get_by_role("link", name="张文强")
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="崔艳")).to_have_count(0)
    link.click()
    expect(page.get_by_role("heading", name="张文强")).to_be_visible()
    expect(page.locator("body")).to_contain_text("********")


def test_a_bad_import_is_refused_with_its_reasons_and_the_fixed_file_goes_in(
    context: BrowserContext, login, live_server
):
    page = login(context.new_page(), "xingang")
    good_id = new_id()
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")

    def upload(name: str, content: bytes) -> None:
        page.goto(f"{live_server.url}/excel/imports/")
        page.locator("select[name=kind]").select_option("cadres")
        page.locator("input[type=file]").set_input_files(FilePayload(name=name, mimeType=XLSX, buffer=content))
        page.get_by_role("button", name="上传并导入").click()

    upload("bad.xlsx", xlsx([CADRE_HEADER, cadre_row("王浏览", bad_id)]))
    expect(page.get_by_role("alert")).to_contain_text("没有导入")
    expect(page.locator("table.report")).to_contain_text("校验位")
    assert not Cadre.objects.filter(name="王浏览").exists()

    upload("fixed.xlsx", xlsx([CADRE_HEADER, cadre_row("王浏览", good_id)]))
    expect(page.get_by_role("status")).to_contain_text("已导入 1 条记录")
    page.goto(f"{live_server.url}/cadres/?q=王浏览")
    expect(page.get_by_role("link", name="王浏览")).to_be_visible()
