"""Writes to the organization tree: units (with their materialized path) and regions.

`actor=None` is the system (demo data, loaders, tests' factories): no permission or scope checks.
A person may add or change units only within their data scope, and regions only with the
"maintain regions and units" permission.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from frontline.core.access import access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, DataScope, User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, RegionLevel, Unit, UnitKind
from frontline.org.selectors import unit_list

UNIT_FIELDS = ("name", "kind", "parent_id", "region_id")
REGION_FIELDS = ("name", "is_functional_zone", "is_active")
NAME_MAX_LENGTH = 100


class OrgValidationError(ApplicationError):
    """Field-level errors on a unit or region: {field: message}, each in Chinese and actionable."""

    def __init__(self, errors: dict[str, str], *, code: str = "invalid") -> None:
        super().__init__("；".join(errors.values()), code=code, extra={"errors": errors})
        self.errors = errors


def _require_unit_editor(actor: User) -> None:
    access = access_for(actor)
    if not (access.can_admin_org or access.can_edit):
        raise ApplicationError(_("您的角色无权维护单位。"), code="forbidden")


def _require_region_admin(actor: User) -> None:
    if not access_for(actor).can_admin_org:
        raise ApplicationError(_("您的角色无权维护行政区划。"), code="forbidden")


def _in_scope(actor: User, unit: Unit) -> bool:
    return unit_list(user=actor).filter(pk=unit.pk).exists()


def _check_parent_in_scope(actor: User, parent: Unit | None) -> None:
    """Refuse a parent the actor cannot see; only a user with the full scope may add a top-level unit."""
    if parent is None:
        if access_for(actor).scope != DataScope.ALL:
            raise OrgValidationError({"parent": _("请选择上级单位：只有数据范围为“全部”的用户可以设立顶级单位。")})
        return
    if not _in_scope(actor, parent):
        raise OrgValidationError(
            {"parent": _("上级单位不在您的数据范围内，不能把单位设在它之下。")}, code="out_of_scope"
        )


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        raise OrgValidationError({"parent": _("不能把单位移到它自己或它的下级单位之下。")}, code="cycle")


def _clean_unit_fields(*, name: str, kind: str, region: Region, region_changed: bool) -> str:
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("单位名称不能为空。")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("单位名称不能超过 %(limit)s 个字符。") % {"limit": NAME_MAX_LENGTH}
    if kind not in UnitKind.values:
        errors["kind"] = _("单位类型无效。")
    if region_changed and not region.is_active:
        errors["region"] = _("区划“%(name)s”已撤销，请选择现行区划。") % {"name": region.name}
    if errors:
        raise OrgValidationError(errors)
    return name


def _check_unique_name(*, name: str, parent: Unit | None, exclude_pk: int | None = None) -> None:
    qs = Unit.objects.filter(parent=parent, name=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise OrgValidationError(
            {"name": _("同一上级单位下已有名为“%(name)s”的单位。") % {"name": name}}, code="duplicate"
        )


@transaction.atomic
def unit_create(
    *, actor: User | None, name: str, region: Region, parent: Unit | None = None, kind: str = UnitKind.OTHER
) -> Unit:
    """Create a unit under `parent` and audit it."""
    if actor is not None:
        _require_unit_editor(actor)
        _check_parent_in_scope(actor, parent)
    name = _clean_unit_fields(name=name, kind=kind, region=region, region_changed=True)
    _check_unique_name(name=name, parent=parent)
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
    """Rename or move a unit; moving rewrites the path of the whole subtree in one statement.

    A person may move a unit only under a unit within their own scope; the scope of everyone
    in the moved subtree follows, because scopes are path prefixes.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None:
        parent = Unit.objects.get(pk=parent.pk)  # the path as it is now, not as the caller read it
    moved = unit.parent_id != (parent.pk if parent else None)
    if actor is not None:
        _require_unit_editor(actor)
        if not _in_scope(actor, unit):
            raise ApplicationError(_("该单位不在您的数据范围内。"), code="out_of_scope")
        if moved:
            _check_parent_in_scope(actor, parent)
    _check_parent(unit, parent)
    name = _clean_unit_fields(name=name, kind=kind, region=region, region_changed=region.pk != unit.region_id)
    _check_unique_name(name=name, parent=parent, exclude_pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    old_path, old_depth = unit.path, unit.depth
    unit.name, unit.region, unit.parent, unit.kind = name, region, parent, kind
    unit.full_clean(exclude=["path"])
    new_path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.path = new_path
    unit.depth = (parent.depth + 1) if parent else 0
    unit.save()
    note = ""
    if new_path != old_path:
        descendants = (
            Unit.objects.filter(path__startswith=old_path)
            .exclude(pk=unit.pk)
            .update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (unit.depth - old_depth),
            )
        )
        note = f"路径 {old_path} → {new_path}，{descendants} 个下级单位随之移动"
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit(actor=actor, action=AuditAction.UPDATE, obj=unit, changes=changes, note=note)
    return unit


def _parent_code(code: str, level: int) -> str | None:
    if level == RegionLevel.PROVINCE:
        return None
    return code[: LEVEL_PREFIX_LENGTH[level - 1]].ljust(12, "0")


def level_of_code(code: str) -> int:
    """Return the level of a 12-digit code from its trailing zeros."""
    if len(code) != 12 or not code.isdigit():
        raise OrgValidationError({"code": _("区划代码应为 12 位数字，例如 420222103000。")}, code="invalid_code")
    if code[:2] == "00":
        raise OrgValidationError({"code": _("区划代码的前两位应为省级代码（11–82），不能是 00。")}, code="invalid_code")
    for level in (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        start = LEVEL_PREFIX_LENGTH[level - 1]
        if code[start : LEVEL_PREFIX_LENGTH[level]].strip("0"):
            return level
    return RegionLevel.PROVINCE


def _clean_region_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise OrgValidationError({"name": _("区划名称不能为空。")}, code="required")
    if len(name) > NAME_MAX_LENGTH:
        raise OrgValidationError({"name": _("区划名称不能超过 %(limit)s 个字符。") % {"limit": NAME_MAX_LENGTH}})
    return name


@transaction.atomic
def region_create(*, actor: User | None, code: str, name: str, is_functional_zone: bool = False) -> Region:
    """Add a region (boundaries change every year); its parent must exist."""
    if actor is not None:
        _require_region_admin(actor)
    code = code.strip()
    level = level_of_code(code)
    name = _clean_region_name(name)
    if Region.objects.filter(code=code).exists():
        raise OrgValidationError({"code": _("区划代码 %(code)s 已存在。") % {"code": code}}, code="duplicate")
    parent_code = _parent_code(code, level)
    if parent_code is not None and not Region.objects.filter(code=parent_code).exists():
        raise OrgValidationError(
            {"code": _("上级区划 %(code)s 不存在，请先添加上级区划。") % {"code": parent_code}},
            code="no_parent",
        )
    region = Region(code=code, name=name, level=level, parent_id=parent_code, is_functional_zone=is_functional_zone)
    region.full_clean()
    region.save()
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=region,
        changes={"name": (None, region.name), "is_functional_zone": (None, region.is_functional_zone)},
    )
    return region


@transaction.atomic
def region_update(
    *, actor: User | None, region: Region, name: str, is_functional_zone: bool, is_active: bool
) -> Region:
    """Rename a region or mark it abolished; codes never change (a new code is a new region)."""
    if actor is not None:
        _require_region_admin(actor)
    name = _clean_region_name(name)
    region = Region.objects.select_for_update().get(pk=region.pk)
    before = snapshot(region, REGION_FIELDS)
    region.name, region.is_functional_zone, region.is_active = name, is_functional_zone, is_active
    region.full_clean()
    region.save()
    changes = diff(before, snapshot(region, REGION_FIELDS))
    if changes:
        audit(actor=actor, action=AuditAction.UPDATE, obj=region, changes=changes)
    return region
