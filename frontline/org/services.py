"""Writes to the organization tree: units (with their materialized path) and regions."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, RegionLevel, Unit, UnitKind

UNIT_FIELDS = ("name", "kind", "parent_id", "region_id")
REGION_FIELDS = ("name", "is_functional_zone", "is_active")


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        raise ApplicationError("不能把单位移到它自己或它的下级单位之下。", code="cycle")


@transaction.atomic
def unit_create(
    *, actor: User | None, name: str, region: Region, parent: Unit | None = None, kind: str = UnitKind.OTHER
) -> Unit:
    """Create a unit under `parent` and audit it."""
    name = name.strip()
    if not name:
        raise ApplicationError("单位名称不能为空。", code="required")
    if Unit.objects.filter(parent=parent, name=name).exists():
        raise ApplicationError(f"同一上级单位下已有名为“{name}”的单位。", code="duplicate")
    unit = Unit(name=name, region=region, parent=parent, kind=kind)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    unit.save(update_fields=["path", "depth"])
    audit(actor=actor, action=AuditAction.CREATE, obj=unit, changes={f: (None, getattr(unit, f)) for f in UNIT_FIELDS})
    return unit


@transaction.atomic
def unit_update(*, actor: User | None, unit: Unit, name: str, region: Region, parent: Unit | None, kind: str) -> Unit:
    """Rename or move a unit; moving rewrites the path of the whole subtree in one statement."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_parent(unit, parent)
    before = snapshot(unit, UNIT_FIELDS)
    old_path, old_depth = unit.path, unit.depth
    unit.name, unit.region, unit.parent, unit.kind = name.strip(), region, parent, kind
    unit.full_clean(exclude=["path"])
    new_path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.path = new_path
    unit.depth = (parent.depth + 1) if parent else 0
    unit.save()
    if new_path != old_path:
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (unit.depth - old_depth),
        )
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit(actor=actor, action=AuditAction.UPDATE, obj=unit, changes=changes)
    return unit


def _parent_code(code: str, level: int) -> str | None:
    if level == RegionLevel.PROVINCE:
        return None
    return code[: LEVEL_PREFIX_LENGTH[level - 1]].ljust(12, "0")


def level_of_code(code: str) -> int:
    """Return the level of a 12-digit code from its trailing zeros."""
    if len(code) != 12 or not code.isdigit():
        raise ApplicationError("区划代码应为 12 位数字。", code="invalid_code")
    for level in (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        start = LEVEL_PREFIX_LENGTH[level - 1]
        if code[start : LEVEL_PREFIX_LENGTH[level]].strip("0"):
            return level
    return RegionLevel.PROVINCE


@transaction.atomic
def region_create(*, actor: User | None, code: str, name: str, is_functional_zone: bool = False) -> Region:
    """Add a region (boundaries change every year); its parent must exist."""
    code = code.strip()
    level = level_of_code(code)
    if Region.objects.filter(code=code).exists():
        raise ApplicationError(f"区划代码 {code} 已存在。", code="duplicate")
    parent_code = _parent_code(code, level)
    if parent_code is not None and not Region.objects.filter(code=parent_code).exists():
        raise ApplicationError(f"上级区划 {parent_code} 不存在，请先添加上级区划。", code="no_parent")
    region = Region(
        code=code, name=name.strip(), level=level, parent_id=parent_code, is_functional_zone=is_functional_zone
    )
    region.full_clean()
    region.save()
    audit(actor=actor, action=AuditAction.CREATE, obj=region, changes={"name": (None, region.name)})
    return region


@transaction.atomic
def region_update(
    *, actor: User | None, region: Region, name: str, is_functional_zone: bool, is_active: bool
) -> Region:
    """Rename a region or mark it abolished; codes never change (a new code is a new region)."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    before = snapshot(region, REGION_FIELDS)
    region.name, region.is_functional_zone, region.is_active = name.strip(), is_functional_zone, is_active
    region.full_clean()
    region.save()
    changes = diff(before, snapshot(region, REGION_FIELDS))
    if changes:
        audit(actor=actor, action=AuditAction.UPDATE, obj=region, changes=changes)
    return region
