from datetime import date
from decimal import Decimal

import pytest

from frontline.core.idcodes import uscc_check_char
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_post
from frontline.excel.models import ImportJob, ImportStatus
from frontline.excel.services import import_job_create
from frontline.excel.tests.sheets import POST_HEADER, xlsx
from frontline.posts.models import Post


def uscc(serial: int) -> str:
    first17 = f"91420222MA4F{serial:05d}"
    return first17 + uscc_check_char(first17)


def post_row(kind: str, name: str, **columns: object) -> list[object]:
    values: dict[str, object] = dict.fromkeys(POST_HEADER, "")
    values.update({"类型": kind, "名称": name, "所在区划代码": "420222103", "管理单位": "新港园区"})
    values.update(columns)
    return [values[h] for h in POST_HEADER]


def run(world, *rows: list[object], actor=None) -> ImportJob:
    content = xlsx([POST_HEADER, *rows], sheet="一线阵地")
    return import_job_create(
        actor=actor or world.xingang_official, kind="posts", file_name="阵地.xlsx", content=content
    )


@pytest.fixture
def nothing_written(world):
    before = Post.objects.count()
    yield
    assert Post.objects.count() == before
    assert not AuditLog.objects.filter(action=AuditAction.IMPORT).exists()


def test_posts_of_every_kind_import_with_parents_from_the_same_file(world):
    job = run(
        world,
        post_row("企业", "新港铜材", 统一社会信用代码=uscc(1), 行业="有色金属", 规模="大型", 重点="是"),
        post_row(
            "项目",
            "铜材二期",
            **{"总投资（万元）": 12500.5},
            阶段="在建",
            计划开工="2026-03-01",
            实际开工=date(2026, 4, 15),
        ),
        post_row("项目", "铜材二期配套", 上级名称="铜材二期"),
        post_row("村", "韦源口村", 户数=820, 纬度=29.97, 经度=115.28),
        post_row("网格", "韦源口村一组", 上级名称="韦源口村", 户数=120),
        post_row("楼栋", "一组1栋", 上级名称="韦源口村一组"),
    )
    assert job.status == ImportStatus.DONE, job.errors
    assert job.created_rows == 6
    company = Post.objects.get(name="新港铜材")
    assert (company.kind, company.uscc, company.size, company.is_key) == ("enterprise", uscc(1), "large", True)
    project = Post.objects.get(name="铜材二期")
    assert (project.investment, project.stage) == (Decimal("12500.50"), "construction")
    assert (project.planned_start, project.actual_start) == (date(2026, 3, 1), date(2026, 4, 15))
    assert Post.objects.get(name="铜材二期配套").parent == project
    grid = Post.objects.get(name="一组1栋").parent
    assert grid is not None
    assert grid.parent is not None
    assert grid.parent.name == "韦源口村"
    assert Post.objects.get(name="韦源口村").region_id == "420222103000"
    assert AuditLog.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_a_parent_can_be_an_existing_post_in_scope(world):
    village = make_post("老村", kind="village", region=world.xingang.region, unit=world.xingang)
    job = run(world, post_row("网格", "老村一组", 上级名称="老村"))
    assert job.status == ImportStatus.DONE, job.errors
    assert Post.objects.get(name="老村一组").parent == village


def test_a_parent_of_the_wrong_kind_or_outside_the_scope_is_refused(world, nothing_written):
    job = run(
        world,
        post_row("网格", "一组", 上级名称="弘盛铜业"),  # an enterprise, not a village
        post_row("楼栋", "1栋", 上级名称="新农湾改造"),  # Zengdu's, outside the scope
        post_row("村", "某村", 上级名称="随便"),
    )
    messages = {e["row"]: e["message"] for e in job.errors}
    assert "上级应为村或社区" in messages[2]
    assert "找不到" in messages[3]
    assert "没有上级" in messages[4]


def test_the_rules_of_the_post_form_apply_to_each_row(world, nothing_written):
    job = run(
        world,
        post_row("企业", "无代码企业"),
        post_row("村", "某村", 阶段="在建"),
        post_row("项目", "未来项目", 实际开工="2999-01-01"),
        post_row("社区", "半个坐标", 纬度=30.0),
    )
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, "统一社会信用代码"), (3, "阶段"), (4, "实际开工"), (5, "经度")}


def test_uscc_rules_are_those_of_the_model(world):
    make_post("已有企业", region=world.xingang.region, unit=world.xingang, uscc=uscc(7))
    before = Post.objects.count()
    bad = uscc(2)[:17] + ("0" if uscc(2)[17] != "0" else "1")
    job = run(
        world,
        post_row("企业", "甲", 统一社会信用代码=bad),
        post_row("项目", "乙", 统一社会信用代码=uscc(3)),
        post_row("企业", "丙", 统一社会信用代码=uscc(4)),
        post_row("企业", "丁", 统一社会信用代码=uscc(4)),
        post_row("企业", "戊", 统一社会信用代码=uscc(7)),
    )
    messages = {e["row"]: e["message"] for e in job.errors}
    assert "校验位" in messages[2]
    assert "只有企业" in messages[3]
    assert "第 4 行" in messages[5]
    assert "已有企业" in messages[6]
    assert Post.objects.count() == before


def test_unknown_regions_units_and_kinds_are_row_errors(world, nothing_written):
    job = run(
        world,
        post_row("村", "甲", 所在区划代码="429999"),
        post_row("村", "乙", 管理单位="中共连云港市委"),
        post_row("工厂", "丙"),
        post_row("村", "丁", 纬度=123.0, 经度=115.0),
    )
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(2, "所在区划代码"), (3, "管理单位"), (4, "类型"), (5, "纬度")}


def test_a_parent_cycle_within_the_file_is_refused(world, nothing_written):
    job = run(world, post_row("项目", "甲", 上级名称="乙"), post_row("项目", "乙", 上级名称="甲"))
    assert any("循环" in e["message"] for e in job.errors)
