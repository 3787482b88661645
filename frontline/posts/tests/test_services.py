from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditLog, User
from frontline.core.testing import World, make_post, make_region
from frontline.org.services import region_update
from frontline.posts import services
from frontline.posts.models import Post, PostKind, ProjectStage
from frontline.posts.services import PostValidationError, post_create, post_delete, post_update
from frontline.posts.tests.factories import data_of, make_uscc, post_data

TODAY = date(2025, 6, 30)


def create(world: World, actor: User | None = None, **fields: Any) -> Post:
    actor = actor or world.xingang_official
    fields.setdefault("unit_id", world.xingang.pk)
    return post_create(actor=actor, data=post_data(**fields), today=TODAY)


def errors_of(excinfo: pytest.ExceptionInfo[PostValidationError]) -> dict[str, str]:
    return excinfo.value.errors


# --- enterprises and their USCC ---------------------------------------------------------------


def test_it_creates_an_enterprise_and_audits_it_in_the_same_transaction(world):
    post = create(world, name="新港纺织", uscc=make_uscc(7), size="medium", industry="纺织")
    assert post.version == 1
    assert post.created_by == world.xingang_official
    row = AuditLog.objects.get(object_type="posts.post", object_id=str(post.pk))
    assert row.action == "create"
    assert row.actor == world.xingang_official
    assert row.changes["name"] == [None, "新港纺织"]
    assert row.changes["uscc"] == [None, make_uscc(7)]


def test_it_normalizes_a_uscc_typed_in_lower_case_with_spaces(world):
    code = make_uscc(8)
    post = create(world, uscc=f" {code[:9].lower()} {code[9:]} ")
    assert post.uscc == code


def test_it_rejects_a_uscc_with_a_wrong_check_character_and_says_which_is_right(world):
    code = make_uscc(9)
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    with pytest.raises(PostValidationError) as excinfo:
        create(world, uscc=wrong)
    assert f"最后一位应为 {code[17]}" in errors_of(excinfo)["uscc"]
    assert not Post.objects.filter(name="大冶特钢").exists()


def test_an_enterprise_needs_a_uscc(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, uscc="")
    assert errors_of(excinfo)["uscc"] == "统一社会信用代码不能为空。"


def test_a_uscc_registered_twice_names_the_enterprise_when_the_user_may_see_it(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, uscc=world.xingang_enterprise.uscc)
    assert "弘盛铜业" in errors_of(excinfo)["uscc"]


def test_a_uscc_registered_outside_the_scope_is_refused_without_revealing_the_name(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, actor=world.jiangsu_official, unit_id=world.lianyungang.pk, uscc=world.xingang_enterprise.uscc)
    message = errors_of(excinfo)["uscc"]
    assert "不在您的数据范围内" in message
    assert "弘盛铜业" not in message


def test_only_enterprises_carry_a_uscc_and_a_size(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.PROJECT, name="铜材深加工项目", uscc=make_uscc(3), size="large")
    errors = errors_of(excinfo)
    assert errors["uscc"] == "只有企业填写统一社会信用代码，其他类型请清空。"
    assert errors["size"] == "只有企业填写规模，其他类型请清空。"


# --- projects ---------------------------------------------------------------------------------


def test_a_project_keeps_its_investment_stage_and_start_dates(world):
    post = create(
        world,
        kind=PostKind.PROJECT,
        name="铜材深加工项目",
        investment=Decimal("52000.456"),
        stage=ProjectStage.CONSTRUCTION,
        planned_start=date(2025, 3, 1),
        actual_start=date(2025, 3, 18),
        is_key=True,
    )
    post.refresh_from_db()
    assert post.investment == Decimal("52000.46")
    assert (post.stage, post.actual_start) == ("construction", date(2025, 3, 18))


def test_a_project_cannot_have_a_negative_investment_or_have_started_in_the_future(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.PROJECT, investment=Decimal("-1"), actual_start=TODAY + timedelta(days=1))
    errors = errors_of(excinfo)
    assert errors["investment"] == "总投资不能为负数（单位：万元）。"
    assert "晚于今天" in errors["actual_start"]


def test_project_fields_are_refused_on_other_kinds(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.VILLAGE, name="棋盘村", investment=Decimal(10), stage=ProjectStage.SIGNED)
    assert set(errors_of(excinfo)) == {"investment", "stage"}


# --- parents ----------------------------------------------------------------------------------


def test_a_sub_project_belongs_to_a_project(world):
    key = create(world, kind=PostKind.PROJECT, name="新港物流园")
    sub = create(world, kind=PostKind.PROJECT, name="新港物流园一期", parent_id=key.pk)
    assert sub.parent == key


def test_a_sub_project_cannot_belong_to_an_enterprise(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.PROJECT, name="厂房改造", parent_id=world.xingang_enterprise.pk)
    assert errors_of(excinfo)["parent"] == "项目的上级应为项目，“弘盛铜业”是企业。"


def test_a_grid_belongs_to_a_village_or_community_and_a_building_to_a_grid(world):
    community = create(world, kind=PostKind.COMMUNITY, name="韦源口社区")
    grid = create(world, kind=PostKind.GRID, name="第一网格", parent_id=community.pk, households=320)
    building = create(world, kind=PostKind.BUILDING, name="3 栋", parent_id=grid.pk, households=48)
    assert building.parent == grid
    assert grid.parent == community
    assert create(world, kind=PostKind.GRID, name="独立网格").parent is None


def test_a_building_cannot_hang_directly_under_a_community(world):
    community = create(world, kind=PostKind.COMMUNITY, name="韦源口社区")
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.BUILDING, name="3 栋", parent_id=community.pk)
    assert errors_of(excinfo)["parent"] == "楼栋的上级应为网格，“韦源口社区”是社区。"


def test_a_grid_cannot_belong_to_a_project(world):
    project = create(world, kind=PostKind.PROJECT, name="新港物流园")
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.GRID, name="第一网格", parent_id=project.pk)
    assert "村或社区" in errors_of(excinfo)["parent"]


def test_enterprises_villages_and_communities_have_no_parent(world):
    project = create(world, kind=PostKind.PROJECT, name="新港物流园")
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.VILLAGE, name="棋盘村", parent_id=project.pk)
    assert errors_of(excinfo)["parent"] == "“村”类阵地没有上级，请清空上级。"


def test_a_project_cannot_be_moved_under_its_own_sub_project(world):
    key = create(world, kind=PostKind.PROJECT, name="新港物流园")
    sub = create(world, kind=PostKind.PROJECT, name="一期", parent_id=key.pk)
    subsub = create(world, kind=PostKind.PROJECT, name="一期仓储", parent_id=sub.pk)
    for new_parent in (subsub, key):
        with pytest.raises(PostValidationError) as excinfo:
            post_update(
                actor=world.xingang_official,
                post=key,
                data=data_of(key, parent_id=new_parent.pk),
                expected_version=1,
                today=TODAY,
            )
        assert errors_of(excinfo)["parent"] == "不能把阵地设在它自己或它的下级之下。"


def test_the_parent_must_be_within_the_users_scope(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, kind=PostKind.PROJECT, name="借壳子项目", parent_id=world.zengdu_project.pk)
    assert errors_of(excinfo)["parent"] == "上级阵地不存在或不在您的数据范围内。"


def test_a_project_with_sub_projects_cannot_become_an_enterprise(world):
    key = create(world, kind=PostKind.PROJECT, name="新港物流园")
    create(world, kind=PostKind.PROJECT, name="一期", parent_id=key.pk)
    with pytest.raises(PostValidationError) as excinfo:
        post_update(
            actor=world.xingang_official,
            post=key,
            data=data_of(key, kind=PostKind.ENTERPRISE, uscc=make_uscc(11)),
            expected_version=1,
            today=TODAY,
        )
    assert "请先移走下级阵地" in errors_of(excinfo)["kind"]


# --- unit, region, coordinates ------------------------------------------------------------------


def test_the_managing_unit_must_be_within_the_users_scope(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, unit_id=world.zengdu.pk)
    assert errors_of(excinfo)["unit"] == "管理单位不存在或不在您的数据范围内。"


def test_a_unit_below_ones_own_is_fine(world):
    assert create(world, unit_id=world.xingang_office.pk).unit == world.xingang_office


def test_the_region_may_be_given_as_a_prefix_but_must_exist_and_be_current(world):
    assert create(world, region_code="420222103").region.name == "韦源口镇"
    with pytest.raises(PostValidationError) as excinfo:
        create(world, region_code="420222999", uscc_n=2)
    assert "420222999 不存在" in errors_of(excinfo)["region"]
    old = make_region("420222104", "已撤并镇")
    region_update(actor=None, region=old, name=old.name, is_functional_zone=False, is_active=False)
    with pytest.raises(PostValidationError) as excinfo:
        create(world, region_code="420222104", uscc_n=3)
    assert "已撤销" in errors_of(excinfo)["region"]


def test_coordinates_must_be_in_range_and_come_in_pairs(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, latitude=91.0, longitude=115.2)
    assert "纬度超出范围" in errors_of(excinfo)["latitude"]
    with pytest.raises(PostValidationError) as excinfo:
        create(world, latitude=30.0)
    assert errors_of(excinfo)["longitude"] == "经度和纬度需要同时填写，或同时留空。"


def test_every_problem_is_reported_at_once(world):
    with pytest.raises(PostValidationError) as excinfo:
        create(world, name=" ", uscc="123", region_code="", unit_id=world.zengdu.pk)
    assert set(errors_of(excinfo)) == {"name", "uscc", "region", "unit"}
    assert excinfo.value.code == "invalid"


# --- permission, locking, audit -----------------------------------------------------------------


def test_a_role_without_edit_permission_cannot_create(world):
    with pytest.raises(ApplicationError) as excinfo:
        create(world, actor=world.province_official, unit_id=world.hubei.pk)
    assert excinfo.value.code == "forbidden"


def test_an_update_bumps_the_version_and_audits_only_what_changed(world):
    post = world.xingang_enterprise
    updated = post_update(
        actor=world.xingang_official,
        post=post,
        data=data_of(post, name="弘盛铜业有限公司", is_key=True),
        expected_version=1,
        today=TODAY,
    )
    assert updated.version == 2
    row = AuditLog.objects.get(object_type="posts.post", object_id=str(post.pk), action="update")
    assert row.changes == {"name": ["弘盛铜业", "弘盛铜业有限公司"], "is_key": [False, True]}


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    post = world.xingang_enterprise
    post_update(actor=world.xingang_official, post=post, data=data_of(post, name="甲"), expected_version=1)
    with pytest.raises(ConflictError) as excinfo:
        post_update(actor=world.xingang_official, post=post, data=data_of(post, name="乙"), expected_version=1)
    assert excinfo.value.extra == {"current_version": 2}
    post.refresh_from_db()
    assert post.name == "甲"
    assert AuditLog.objects.filter(object_id=str(post.pk), action="update").count() == 1


def test_nobody_can_update_a_post_outside_their_scope_through_the_service(world):
    post = world.xingang_enterprise
    with pytest.raises(ApplicationError) as excinfo:
        post_update(actor=world.jiangsu_official, post=post, data=data_of(post, name="改"), expected_version=1)
    assert excinfo.value.code == "out_of_scope"


def test_when_the_audit_write_fails_the_post_is_not_created(world, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        create(world, name="审计失败企业")
    assert not Post.objects.filter(name="审计失败企业").exists()


def test_delete_is_audited_with_the_old_values(world):
    post = make_post("临时企业", region=world.xingang.region, unit=world.xingang, uscc=make_uscc(21))
    pk = post.pk
    post_delete(actor=world.xingang_official, post=post)
    assert not Post.objects.filter(pk=pk).exists()
    row = AuditLog.objects.get(object_type="posts.post", object_id=str(pk), action="delete")
    assert row.object_repr == "临时企业"
    assert row.changes["uscc"] == [make_uscc(21), None]


def test_a_post_with_children_cannot_be_deleted(world):
    key = create(world, kind=PostKind.PROJECT, name="新港物流园")
    create(world, kind=PostKind.PROJECT, name="一期", parent_id=key.pk)
    with pytest.raises(ApplicationError) as excinfo:
        post_delete(actor=world.xingang_official, post=key)
    assert excinfo.value.code == "has_children"
    assert Post.objects.filter(pk=key.pk).exists()
    assert not AuditLog.objects.filter(object_id=str(key.pk), action="delete").exists()
