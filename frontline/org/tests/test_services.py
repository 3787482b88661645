import pytest

from frontline.cadres.selectors import cadre_list
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditLog, DataScope, User
from frontline.core.testing import make_region, make_role, make_unit, make_user
from frontline.org.models import Region, RegionLevel, Unit, UnitKind
from frontline.org.selectors import region_subtree, unit_list
from frontline.org.services import OrgValidationError, region_create, region_update, unit_create, unit_update


def fresh(user: User) -> User:
    """Return the user as a new request would load them (access is cached per user object)."""
    return User.objects.get(pk=user.pk)


def move(actor, unit: Unit, parent: Unit | None) -> Unit:
    return unit_update(actor=actor, unit=unit, name=unit.name, region=unit.region, parent=parent, kind=unit.kind)


@pytest.fixture
def org_admin(world):
    return make_user("org-admin", unit=world.hubei, roles=[make_role("org-admin", DataScope.ALL, can_admin_org=True)])


# --- units ------------------------------------------------------------------------------------


def test_a_new_unit_gets_its_path_below_the_parent_and_is_audited(world):
    unit = unit_create(
        actor=world.xingang_official,
        name="新港园区招商局",
        region=world.xingang.region,
        parent=world.xingang,
        kind=UnitKind.FUNCTIONAL_DEPARTMENT,
    )
    assert unit.path == f"{world.xingang.path}{unit.pk}/"
    assert unit.depth == world.xingang.depth + 1
    row = AuditLog.objects.get(object_type="org.unit", object_id=str(unit.pk))
    assert row.changes["name"] == [None, "新港园区招商局"]


def test_a_unit_cannot_be_created_under_a_parent_outside_the_scope(world):
    with pytest.raises(OrgValidationError) as excinfo:
        unit_create(actor=world.xingang_official, name="越界单位", region=world.xingang.region, parent=world.zengdu)
    assert excinfo.value.code == "out_of_scope"
    assert not Unit.objects.filter(name="越界单位").exists()


def test_only_a_user_with_the_full_scope_may_create_a_top_level_unit(world, org_admin):
    with pytest.raises(OrgValidationError) as excinfo:
        unit_create(actor=world.xingang_official, name="新省委", region=world.hubei.region)
    assert "parent" in excinfo.value.errors
    assert unit_create(actor=org_admin, name="中共湖南省委", region=make_region("43", "湖南省")).path.count("/") == 2


def test_a_role_without_edit_or_org_permission_cannot_create_units(world):
    with pytest.raises(ApplicationError) as excinfo:
        unit_create(actor=world.province_official, name="某单位", region=world.hubei.region, parent=world.hubei)
    assert excinfo.value.code == "forbidden"


def test_two_units_under_one_parent_cannot_share_a_name(world):
    with pytest.raises(OrgValidationError) as excinfo:
        unit_create(actor=None, name=" 新港园区 ", region=world.xingang.region, parent=world.huangshi)
    assert excinfo.value.code == "duplicate"
    other = make_unit("其他部门", region=world.xingang.region, parent=world.xingang)
    with pytest.raises(OrgValidationError) as excinfo:
        unit_update(
            actor=None,
            unit=other,
            name=world.xingang_office.name,
            region=other.region,
            parent=world.xingang,
            kind=other.kind,
        )
    assert excinfo.value.errors == {"name": "同一上级单位下已有名为“新港园区项目建设指挥部办公室”的单位。"}


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(world):
    office = world.xingang_office
    depot = make_unit("物资站", region=office.region, parent=office)
    moved = move(None, world.xingang, world.zengdu)
    assert moved.path == f"{world.zengdu.path}{world.xingang.pk}/"
    office.refresh_from_db()
    depot.refresh_from_db()
    assert office.path == f"{moved.path}{office.pk}/"
    assert depot.path == f"{office.path}{depot.pk}/"
    assert (office.depth, depot.depth) == (moved.depth + 1, moved.depth + 2)


def test_the_scope_follows_a_moved_unit(world):
    assert "陈明" not in set(cadre_list(user=world.zengdu_official).values_list("name", flat=True))
    move(None, world.xingang, world.zengdu)
    seen_by_zengdu = set(cadre_list(user=fresh(world.zengdu_official)).values_list("name", flat=True))
    assert {"陈明", "张文强", "崔艳"} <= seen_by_zengdu
    assert world.xingang_office in unit_list(user=fresh(world.xingang_official))
    assert world.xingang not in unit_list(user=fresh(world.jiangsu_official))


def test_a_unit_cannot_move_under_itself_or_its_own_descendant(world):
    for new_parent in (world.xingang_office, world.xingang):
        with pytest.raises(OrgValidationError) as excinfo:
            move(None, world.xingang, new_parent)
        assert excinfo.value.code == "cycle"
    with pytest.raises(OrgValidationError):
        move(None, world.hubei, world.xingang_office)
    world.hubei.refresh_from_db()
    assert world.hubei.parent is None


def test_a_user_cannot_move_a_unit_outside_their_scope(world):
    depot = make_unit("物资站", region=world.xingang.region, parent=world.xingang_office)
    with pytest.raises(OrgValidationError) as excinfo:
        move(world.xingang_official, depot, world.zengdu)
    assert excinfo.value.code == "out_of_scope"
    depot.refresh_from_db()
    assert depot.parent == world.xingang_office
    assert move(world.xingang_official, depot, world.xingang).parent == world.xingang


def test_a_user_cannot_touch_a_unit_outside_their_scope(world):
    with pytest.raises(ApplicationError) as excinfo:
        move(world.jiangsu_official, world.xingang_office, world.lianyungang)
    assert excinfo.value.code == "out_of_scope"


def test_a_user_may_rename_the_root_of_their_own_scope_keeping_its_parent(world):
    unit = unit_update(
        actor=world.xingang_official,
        unit=world.xingang,
        name="黄石新港（物流）工业园区",
        region=world.xingang.region,
        parent=world.huangshi,
        kind=UnitKind.PARK,
    )
    assert (unit.name, unit.parent) == ("黄石新港（物流）工业园区", world.huangshi)
    row = AuditLog.objects.get(object_type="org.unit", object_id=str(unit.pk), action="update")
    assert row.changes == {"name": ["新港园区", "黄石新港（物流）工业园区"]}


def test_a_move_is_audited_with_the_old_and_new_parent(world):
    move(None, world.xingang, world.zengdu)
    row = AuditLog.objects.get(object_type="org.unit", object_id=str(world.xingang.pk), action="update")
    assert row.changes == {"parent_id": [world.huangshi.pk, world.zengdu.pk]}
    assert "1 个下级单位随之移动" in row.note


# --- regions ----------------------------------------------------------------------------------


def test_region_create_needs_a_twelve_digit_code(world, org_admin):
    for code in ("4202221030", "42022210300a", "4202221030001"):
        with pytest.raises(OrgValidationError) as excinfo:
            region_create(actor=org_admin, code=code, name="某村")
        assert excinfo.value.code == "invalid_code"


def test_region_create_needs_an_existing_parent(world, org_admin):
    with pytest.raises(OrgValidationError) as excinfo:
        region_create(actor=org_admin, code="420222104201", name="某村委会")
    assert excinfo.value.code == "no_parent"
    assert "420222104000" in excinfo.value.message


def test_region_create_derives_level_and_parent_from_the_code(world, org_admin):
    village = region_create(actor=org_admin, code="420222103201", name="东湖村委会")
    assert (village.level, village.parent_id) == (RegionLevel.VILLAGE, "420222103000")
    zone = region_create(actor=org_admin, code="420222455000", name="金海开发区", is_functional_zone=True)
    assert (zone.level, zone.is_functional_zone) == (RegionLevel.TOWNSHIP, True)
    assert AuditLog.objects.filter(object_type="org.region", object_id="420222455000", action="create").exists()
    with pytest.raises(OrgValidationError) as excinfo:
        region_create(actor=org_admin, code="420222103201", name="重复")
    assert excinfo.value.code == "duplicate"


def test_only_an_org_administrator_may_change_regions(world, org_admin):
    region = Region.objects.get(code="420222103000")
    with pytest.raises(ApplicationError) as excinfo:
        region_update(
            actor=world.xingang_official, region=region, name="改名", is_functional_zone=False, is_active=True
        )
    assert excinfo.value.code == "forbidden"
    updated = region_update(actor=org_admin, region=region, name="韦源口镇", is_functional_zone=False, is_active=False)
    assert updated.is_active is False
    row = AuditLog.objects.get(object_type="org.region", object_id=region.code, action="update")
    assert row.changes == {"is_active": [True, False]}


def test_a_region_keeps_a_name(world, org_admin):
    with pytest.raises(OrgValidationError) as excinfo:
        region_update(
            actor=org_admin,
            region=Region.objects.get(code="420222000000"),
            name="  ",
            is_functional_zone=False,
            is_active=True,
        )
    assert excinfo.value.errors == {"name": "区划名称不能为空。"}


def test_the_subtree_of_a_region_is_found_by_code_prefix(world):
    codes = set(region_subtree(Region.objects.get(code="420200000000")).values_list("code", flat=True))
    assert codes == {"420200000000", "420222000000", "420222103000"}
