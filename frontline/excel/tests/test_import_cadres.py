from pathlib import Path
from typing import Any

import pytest

from frontline.cadres.models import Cadre, ExpertiseTag
from frontline.cadres.services import name_pinyin
from frontline.core import crypto
from frontline.core.errors import ApplicationError
from frontline.core.idcodes import resident_id_check_char
from frontline.core.models import AuditAction, AuditLog
from frontline.excel.importers import CadreImporter
from frontline.excel.models import ImportJob, ImportStatus
from frontline.excel.services import import_job_create
from frontline.excel.tests.sheets import CADRE_HEADER, Formula, cadre_row, cadres_xlsx, new_id, xlsx

FILES = Path(__file__).parent / "files"


def run(world, content: bytes, *, actor=None, name: str = "干部.xlsx") -> ImportJob:
    return import_job_create(actor=actor or world.xingang_official, kind="cadres", file_name=name, content=content)


@pytest.fixture
def nothing_written(world):
    """Assert, after the test body, that no cadre and no import audit row was written."""
    before = Cadre.objects.count()
    yield
    assert Cadre.objects.count() == before
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()


def only_error(job: ImportJob) -> dict[str, Any]:
    assert job.status == ImportStatus.FAILED
    assert len(job.errors) == 1, job.errors
    error: dict[str, Any] = job.errors[0]
    return error


def test_a_good_file_imports_every_row_with_one_audit_row(world):
    ids = [new_id() for _ in range(3)]
    content = cadres_xlsx(
        cadre_row("王小明", ids[0], 专长="规划、建设；经济"),
        cadre_row("李晓红", ids[1], unit="新港园区项目建设指挥部办公室", 职级="正科级", 可全脱产="否"),
        cadre_row("曾国强", ids[2], 政治面貌="群众", 手机号="", 专长="", 居住地区划代码="420222103"),
    )
    before = Cadre.objects.count()

    job = run(world, content)

    assert job.status == ImportStatus.DONE, job.errors
    assert (job.total_rows, job.processed_rows, job.created_rows, job.percent) == (3, 3, 3, 100)
    assert Cadre.objects.count() == before + 3
    wang = Cadre.objects.get(name="王小明")
    assert crypto.decrypt(wang.id_number_encrypted) == ids[0]
    assert wang.id_number_hash == crypto.keyed_hash(ids[0])
    assert wang.id_number_masked == ids[0][:6] + "********" + ids[0][14:]
    assert wang.phone_masked == "139****1111"
    assert (wang.name_pinyin, wang.name_initials) == name_pinyin("王小明")
    assert wang.home_unit == world.xingang
    assert wang.created_by == world.xingang_official
    assert sorted(wang.expertise.values_list("name", flat=True)) == ["建设", "经济", "规划"]
    li = Cadre.objects.get(name="李晓红")
    assert (li.home_unit, li.rank, li.full_time_eligible) == (world.xingang_office, 40, False)
    zeng = Cadre.objects.get(name="曾国强")
    assert (zeng.political_status, zeng.phone_encrypted, zeng.residence_region_id) == ("masses", "", "420222103000")
    audit_rows = AuditLog.objects.filter(action=AuditAction.IMPORT)
    assert audit_rows.count() == 1
    row = audit_rows.get()
    assert (row.actor, row.object_id) == (world.xingang_official, str(job.pk))
    assert "3" in row.note
    assert "干部.xlsx" in row.note


def test_the_uploaded_file_is_deleted_once_the_job_has_run(world):
    job = run(world, cadres_xlsx(cadre_row("王小明")))
    assert job.status == ImportStatus.DONE
    assert not job.file


def test_an_xls_file_imports_too(world):
    job = run(world, (FILES / "cadres.xls").read_bytes(), name="干部.xls")
    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_rows == 3
    assert set(Cadre.objects.filter(name__in=["王小明", "李晓红", "赵刚"]).values_list("name", flat=True)) == {
        "王小明",
        "李晓红",
        "赵刚",
    }


def test_the_format_comes_from_the_content_not_the_file_name(world):
    job = run(world, (FILES / "cadres.xls").read_bytes(), name="名字是xlsx其实是xls.xlsx")
    assert job.status == ImportStatus.DONE


def test_a_bad_id_checksum_is_reported_with_the_masked_value(world, nothing_written):
    good = new_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    job = run(world, cadres_xlsx(cadre_row("王小明"), cadre_row("李晓红", bad)))
    error = only_error(job)
    assert (error["row"], error["column"]) == (3, "身份证号")
    assert "校验位" in error["message"]
    assert error["value"] == bad[:6] + "********" + bad[14:]
    assert bad not in str(job.errors)


def test_duplicate_ids_in_the_file_name_both_rows(world, nothing_written):
    same = new_id()
    job = run(world, cadres_xlsx(cadre_row("王小明", same), cadre_row("张三"), cadre_row("王晓明", same)))
    error = only_error(job)
    assert error["row"] == 4
    assert "第 2 行" in error["message"]


def test_an_id_already_registered_in_scope_names_the_cadre(world, nothing_written):
    existing = crypto.decrypt(world.xingang_cadres[0].id_number_encrypted)
    job = run(world, cadres_xlsx(cadre_row("张三"), cadre_row("陈明", existing)))
    error = only_error(job)
    assert error["row"] == 3
    assert "已登记" in error["message"]
    assert "陈明" in error["message"]


def test_an_id_registered_outside_the_scope_is_refused_without_saying_whose_it_is(world, nothing_written):
    existing = crypto.decrypt(world.jiangsu_cadre.id_number_encrypted)
    job = run(world, cadres_xlsx(cadre_row("徐海", existing)))
    error = only_error(job)
    assert "不在您的数据范围内" in error["message"]
    assert "徐海" not in error["message"]
    assert "连云港" not in error["message"]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+SUM(A1)", "-2+3", "@cmd"])
def test_formula_looking_text_is_refused(world, nothing_written, text):
    job = run(world, cadres_xlsx(cadre_row("王小明", 备注=text)))
    error = only_error(job)
    assert (error["row"], error["column"]) == (2, "备注")
    assert "公式" in error["message"]


def test_a_formula_cell_is_refused_even_when_its_value_looks_fine(world, nothing_written):
    job = run(world, cadres_xlsx(cadre_row("王小明", 姓名=Formula('="张"&"三"', "张三"))))
    error = only_error(job)
    assert (error["row"], error["column"]) == (2, "姓名")
    assert "公式" in error["message"]


def test_a_sheet_with_only_the_header_is_empty(world, nothing_written):
    error = only_error(run(world, cadres_xlsx()))
    assert "没有数据" in error["message"]


def test_a_workbook_with_nothing_in_it_is_empty(world, nothing_written):
    error = only_error(run(world, xlsx([])))
    assert "空" in error["message"]


def test_wrong_headers_give_one_error_naming_them(world, nothing_written):
    header = ["姓名", "身分证号", "派出单位", "姓名", "爱好"]
    job = run(world, xlsx([header, ["王小明", new_id(), "新港园区", "王小明", "篮球"]]))
    error = only_error(job)
    message = error["message"]
    assert "缺少必填列 “身份证号”" in message
    assert "“身分证号”" in message
    assert "“爱好”" in message
    assert "重复的列 “姓名”" in message


def test_headers_ignore_spaces_and_bracket_widths(world):
    header = [" 姓名 ", "身份证号", "派出单位"]
    job = run(world, xlsx([header, ["王小明", new_id(), "新港园区"]]))
    assert job.status == ImportStatus.DONE, job.errors


def test_a_zero_byte_file_is_refused_before_any_job_exists(world, nothing_written):
    with pytest.raises(ApplicationError) as exc:
        run(world, b"")
    assert exc.value.code == "empty_file"
    assert "0 字节" in exc.value.message
    assert not ImportJob.objects.exists()


def test_a_text_file_renamed_xlsx_is_refused(world, nothing_written):
    with pytest.raises(ApplicationError) as exc:
        run(world, "姓名,身份证号\n王小明,420281198503120017\n".encode(), name="干部.xlsx")
    assert exc.value.code == "not_excel"
    assert not ImportJob.objects.exists()


def test_an_oversized_file_is_refused(world, settings, nothing_written):
    settings.FRONTLINE_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ApplicationError) as exc:
        run(world, cadres_xlsx(*[cadre_row(f"干部{i}") for i in range(50)]))
    assert exc.value.code == "file_too_large"


def test_a_numeric_id_cell_is_refused_because_digits_were_lost(world, nothing_written):
    job = run(world, cadres_xlsx(cadre_row("王小明", 420281198503120017)))  # type: ignore[arg-type]
    error = only_error(job)
    assert error["column"] == "身份证号"
    assert "身份证号必须以文本格式填写" in error["message"]


def test_a_unit_outside_the_scope_is_a_row_error(world, nothing_written):
    job = run(world, cadres_xlsx(cadre_row("王小明", unit="中共曾都区委")))
    error = only_error(job)
    assert (error["row"], error["column"], error["value"]) == (2, "派出单位", "中共曾都区委")
    assert "不在您的数据范围内" in error["message"]


def test_a_repeated_unit_name_needs_the_full_path(world):
    from frontline.core.testing import make_unit

    make_unit("综合办", region=world.xingang.region, parent=world.xingang)
    make_unit("综合办", region=world.xingang.region, parent=world.xingang_office)
    job = run(world, cadres_xlsx(cadre_row("王小明", unit="综合办")))
    assert "完整路径" in only_error(job)["message"]
    job = run(world, cadres_xlsx(cadre_row("王小明", unit="中共湖北省委 / 中共黄石市委/新港园区/综合办")))
    assert job.status == ImportStatus.DONE, job.errors
    assert Cadre.objects.get(name="王小明").home_unit.parent == world.xingang


def test_the_report_lists_every_bad_row_and_masks_phones(world, nothing_written):
    job = run(
        world,
        cadres_xlsx(
            cadre_row("", new_id()),
            cadre_row("王小明", "12345"),
            cadre_row("李晓红", 手机号="12345678901"),
            cadre_row("赵刚", 职级="局长", 政治面貌="党员"),
            cadre_row("孙丽", 居住地区划代码="999999"),
        ),
    )
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, "姓名"), (3, "身份证号"), (4, "手机号"), (5, "政治面貌"), (5, "职级"), (6, "居住地区划代码")}
    phone = next(e for e in job.errors if e["column"] == "手机号")
    assert phone["value"] == "123****8901"
    rank = next(e for e in job.errors if e["column"] == "职级")
    assert "副科级" in rank["message"]  # it lists the allowed values


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel(world, nothing_written):
    job = run(world, xlsx([CADRE_HEADER, cadre_row("王小明"), [], ["", "  "], cadre_row("李晓红", "1")]))
    error = only_error(job)
    assert error["row"] == 5


def test_gender_and_birth_date_columns_must_agree_with_the_id(world, nothing_written):
    header = ["姓名", "身份证号", "性别", "出生日期", "派出单位"]
    id_number = new_id()  # odd 17th digit or not: the wrong gender is the other one
    wrong_gender = "女" if int(id_number[16]) % 2 else "男"
    job = run(world, xlsx([header, ["王小明", id_number, wrong_gender, "1970-01-01", "新港园区"]]))
    assert {e["column"] for e in job.errors} == {"性别", "出生日期"}


def test_a_conflict_while_writing_rolls_everything_back(world, monkeypatch, nothing_written):
    existing = crypto.decrypt(world.zengdu_cadre.id_number_encrypted)
    monkeypatch.setattr(CadreImporter, "check_against_database", lambda self: None)
    job = run(world, cadres_xlsx(cadre_row("王小明"), cadre_row("崔艳", existing)))
    error = only_error(job)
    assert "重新上传" in error["message"]
    assert not ExpertiseTag.objects.filter(cadres__name="王小明").exists()


def test_someone_without_import_rights_cannot_import(world, nothing_written):
    with pytest.raises(ApplicationError) as exc:
        run(world, cadres_xlsx(cadre_row("王小明")), actor=world.province_official)
    assert exc.value.code == "forbidden"


def test_a_large_file_runs_in_the_background_and_ends_done(world, settings, django_capture_on_commit_callbacks):
    settings.FRONTLINE_IMPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    content = cadres_xlsx(*[cadre_row(f"干部{i}") for i in range(5)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = run(world, content)
        assert job.status == ImportStatus.PENDING
        assert job.total_rows == 5
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_rows, job.processed_rows, job.percent) == (5, 5, 100)
    assert AuditLog.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk)).count() == 1


def test_a_background_job_runs_only_once(world, settings, django_capture_on_commit_callbacks):
    from frontline.excel.services import import_job_run

    settings.FRONTLINE_IMPORT_BACKGROUND_ROWS = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, cadres_xlsx(cadre_row("王小明")))
    again = import_job_run(job_id=job.pk)
    assert again.status == ImportStatus.DONE
    assert Cadre.objects.filter(name="王小明").count() == 1


def test_ids_with_an_x_check_character_and_spaces_are_accepted(world):
    for seq in range(100, 200):
        first17 = f"42028119850312{seq:03d}"
        if resident_id_check_char(first17) == "X":
            break
    id_number = first17 + "x"
    job = run(world, cadres_xlsx(cadre_row("王小明", f" {id_number[:6]} {id_number[6:]} ")))
    assert job.status == ImportStatus.DONE, job.errors
    assert crypto.decrypt(Cadre.objects.get(name="王小明").id_number_encrypted) == id_number.upper()
