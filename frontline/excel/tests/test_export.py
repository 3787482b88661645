import io
import zipfile
from datetime import date
from typing import Any

from django.urls import reverse

from frontline.cadres.models import Cadre
from frontline.core import crypto
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_cadre
from frontline.excel.columns import CADRE_COLUMNS, POST_COLUMNS, CellType, Column
from frontline.excel.export import write_xlsx
from frontline.excel.models import ImportStatus
from frontline.excel.services import import_job_create
from frontline.excel.tests.sheets import read_xlsx, sheet_xml

CADRE_HEADERS = [c.header for c in CADRE_COLUMNS]
ID = CADRE_HEADERS.index("身份证号")
PHONE = CADRE_HEADERS.index("手机号")


def export(client, name: str = "excel:export_cadres", **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def by_name(rows: list[list[Any]]) -> dict[str, list[Any]]:
    return {row[0]: row for row in rows[1:]}


def test_formula_looking_strings_are_written_as_neutralized_text():
    risky = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x")']
    content = write_xlsx(["值"], [[text] for text in risky] + [["正常"]])
    values = [row[0] for row in read_xlsx(content)[1:]]
    assert values == ["'" + text for text in risky] + ["正常"]
    assert "<f>" not in sheet_xml(content)
    assert "<f " not in sheet_xml(content)


def test_numbers_stay_numbers_and_code_columns_stay_text():
    columns: list[str | Column] = [Column("身份证号", "id", CellType.CODE), "数量", "日期"]

    content = write_xlsx(columns, [["420281198503120017", 12, date(2026, 3, 1)], [123456789012345678, 1.5, None]])
    rows = read_xlsx(content)
    assert rows[1] == ["420281198503120017", 12.0, "2026-03-01"]
    assert rows[2][0] == "123456789012345678"  # a number written into a text column keeps every digit
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert 'numFmtId="49"' in archive.read("xl/styles.xml").decode()  # the "@" text format


def test_the_dispatch_exporter_can_pass_plain_header_strings():
    content = write_xlsx(("类别", "干部"), [("匹配", "陈明")])
    assert read_xlsx(content) == [["类别", "干部"], ["匹配", "陈明"]]


def test_an_official_with_sensitive_rights_exports_full_ids_as_text(world, client_for):
    rows = read_xlsx(export(client_for("xingang")))
    assert rows[0] == CADRE_HEADERS
    cadres = by_name(rows)
    assert set(cadres) == {"陈明", "张文强", "李网格"}
    chen = world.xingang_cadres[0]
    assert cadres["陈明"][ID] == crypto.decrypt(chen.id_number_encrypted)
    assert isinstance(cadres["陈明"][ID], str)
    assert cadres["陈明"][PHONE] == "13800000000"
    assert cadres["陈明"][CADRE_HEADERS.index("派出单位")] == "新港园区项目建设指挥部办公室"
    assert cadres["陈明"][CADRE_HEADERS.index("专长")] == "建设、规划"
    row = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert row.actor == world.xingang_official
    assert "含完整身份证号和手机号" in row.note
    assert row.changes["sensitive"] == [None, True]
    assert row.changes["rows"] == [None, 3]


def test_a_role_without_sensitive_rights_gets_masked_ids_and_only_its_scope(world, client_for):
    cadres = by_name(read_xlsx(export(client_for("province"))))
    assert set(cadres) == {"陈明", "张文强", "李网格", "崔艳"}  # Jiangsu's 徐海 is not in the province
    chen = world.xingang_cadres[0]
    assert cadres["陈明"][ID] == chen.id_number_masked
    assert "*" in cadres["陈明"][ID]
    assert crypto.decrypt(chen.id_number_encrypted) not in str(cadres)
    assert cadres["陈明"][PHONE] == "138****0000"
    assert "身份证号和手机号已脱敏" in AuditLog.objects.get(action=AuditAction.EXPORT).note


def test_an_official_of_another_province_exports_only_their_own_rows(world, client_for):
    assert set(by_name(read_xlsx(export(client_for("jiangsu"))))) == {"徐海"}
    names = {row[1] for row in read_xlsx(export(client_for("jiangsu"), "excel:export_posts"))[1:]}
    assert names == {"盛邦新材芳纶产业园"}


def test_roles_without_export_rights_get_a_404_and_no_audit_row(world, client_for):
    for persona in ("grid", "auditor"):
        assert client_for(persona).get(reverse("excel:export_cadres")).status_code == 404
        assert client_for(persona).get(reverse("excel:export_posts")).status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_formula_looking_name_is_neutralized_in_the_export(world, client_for):
    make_cadre("=cmd|' /C calc'!A0", home_unit=world.xingang)
    content = export(client_for("xingang"), q="cmd")
    rows = read_xlsx(content)
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]
    xml = sheet_xml(content)
    assert "<f>" not in xml
    assert "<f " not in xml


def test_the_export_takes_the_list_filters(world, client_for):
    client = client_for("province")
    assert set(by_name(read_xlsx(export(client, q="陈明")))) == {"陈明"}
    assert set(by_name(read_xlsx(export(client, unit=world.xingang_office.pk)))) == {"陈明"}
    assert set(by_name(read_xlsx(export(client, tag="经济")))) == {"张文强"}
    assert set(by_name(read_xlsx(export(client, unit="not-a-number", q="崔")))) == {"崔艳"}
    posts = read_xlsx(export(client, "excel:export_posts", is_key="1"))
    assert [row[1] for row in posts[1:]] == ["新农湾改造"]
    assert posts[0] == [c.header for c in POST_COLUMNS]
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 5


def test_an_export_imports_back_into_an_empty_registry(world, client_for):
    content = export(client_for("xingang"))
    xingang = Cadre.objects.filter(home_unit__name__startswith="新港")
    originals = {c.name: crypto.decrypt(c.id_number_encrypted) for c in xingang}
    xingang.delete()

    job = import_job_create(actor=world.xingang_official, kind="cadres", file_name="导出.xlsx", content=content)

    assert job.status == ImportStatus.DONE, job.errors
    restored = {c.name: crypto.decrypt(c.id_number_encrypted) for c in xingang.all()}
    assert restored == originals
    assert sorted(Cadre.objects.get(name="陈明").expertise.values_list("name", flat=True)) == ["建设", "规划"]


def test_the_cadre_template_has_text_columns_an_explanation_and_the_units_in_scope(world, client_for):
    response = client_for("xingang").get(reverse("excel:template_cadres"))
    assert response.status_code == 200
    content = response.content
    assert read_xlsx(content) == [CADRE_HEADERS]
    notes = read_xlsx(content, "说明")
    explained = {row[0]: row for row in notes[1 : 1 + len(CADRE_HEADERS)]}
    assert "必须以文本格式填写" in explained["身份证号"][3]
    assert "中共预备党员" in explained["政治面貌"][4]
    assert "副科级" in explained["职级"][4]
    assert CADRE_HEADERS in notes  # the example row, with its header
    units = [row[0] for row in read_xlsx(content, "单位")[1:]]
    assert units == ["新港园区", "新港园区项目建设指挥部办公室"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet1 = archive.read("xl/worksheets/sheet1.xml").decode()
        assert '<dataValidation type="list"' in sheet1
        assert 'numFmtId="49"' in archive.read("xl/styles.xml").decode()


def test_the_post_template_lists_kinds_and_stages(world, client_for):
    content = client_for("xingang").get(reverse("excel:template_posts")).content
    assert read_xlsx(content)[0] == [c.header for c in POST_COLUMNS]
    explained = {row[0]: row for row in read_xlsx(content, "说明")[1 : 1 + len(POST_COLUMNS)]}
    assert "楼栋" in explained["类型"][4]
    assert "在建" in explained["阶段"][4]


def test_an_untouched_template_imports_nothing(world, client_for):
    content = client_for("xingang").get(reverse("excel:template_cadres")).content
    job = import_job_create(actor=world.xingang_official, kind="cadres", file_name="模板.xlsx", content=content)
    assert job.status == ImportStatus.FAILED
    assert "没有数据" in job.errors[0]["message"]


def test_templates_are_only_for_roles_that_import(world, client_for):
    for persona in ("province", "grid"):
        assert client_for(persona).get(reverse("excel:template_cadres")).status_code == 404
