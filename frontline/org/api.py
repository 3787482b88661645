"""API for regions and units.

The division tree is reference data every signed-in user may read; changing it needs the
"maintain regions and units" permission. Units are read and written within the caller's scope.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.core.access import access_for
from frontline.core.models import User
from frontline.org.models import Region, Unit, UnitKind
from frontline.org.selectors import get_region, get_unit_for_user, region_list, unit_list
from frontline.org.services import OrgValidationError, region_create, region_update, unit_create, unit_update

router = Router(tags=["organization"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _region_or_404(code: str) -> Region:
    region = get_region(code)
    if region is None:
        raise Http404
    return region


# --- regions ----------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(..., alias="parent_id")
    is_functional_zone: bool
    is_active: bool
    updated_at: datetime


class RegionIn(Schema):
    code: str = Field(..., description="12 位统计用区划代码；上级区划须已存在")
    name: str
    is_functional_zone: bool = False


class RegionPatch(Schema):
    name: str | None = None
    is_functional_zone: bool | None = None
    is_active: bool | None = Field(None, description="false 表示已撤销")


@router.get("/regions", response=list[RegionOut])
@paginate(LimitOffsetPagination)
def regions(request: HttpRequest, parent: str | None = None, level: int | None = None, q: str = "") -> Any:
    """List regions: the children of `parent` (a code or prefix; empty for the provinces), by `level`, or by
    name / code prefix `q`."""
    return region_list(q=q.strip(), parent_code=parent, level=level)


@router.post("/regions", response={201: RegionOut})
def region_new(request: HttpRequest, payload: RegionIn) -> Status[Region]:
    """Add a region (boundaries change every year); needs the permission to maintain regions."""
    user = _user(request)
    if not access_for(user).can_admin_org:
        raise HttpError(403, _("您的角色无权维护行政区划。"))
    region = region_create(
        actor=user, code=payload.code, name=payload.name, is_functional_zone=payload.is_functional_zone
    )
    return Status(201, region)


@router.get("/regions/{code}", response=RegionOut)
def region_detail(request: HttpRequest, code: str) -> Region:
    """Return one region by its 12-digit code (or a prefix of it)."""
    return _region_or_404(code)


@router.patch("/regions/{code}", response=RegionOut)
def region_change(request: HttpRequest, code: str, payload: RegionPatch) -> Region:
    """Rename a region, flag it as a functional zone, or mark it abolished (`is_active: false`)."""
    user = _user(request)
    if not access_for(user).can_admin_org:
        raise HttpError(403, _("您的角色无权维护行政区划。"))
    region = _region_or_404(code)
    return region_update(
        actor=user,
        region=region,
        name=region.name if payload.name is None else payload.name,
        is_functional_zone=region.is_functional_zone
        if payload.is_functional_zone is None
        else payload.is_functional_zone,
        is_active=region.is_active if payload.is_active is None else payload.is_active,
    )


# --- units ------------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    path: str
    depth: int


class UnitIn(Schema):
    name: str
    kind: str = UnitKind.OTHER
    parent_id: int | None = Field(None, description="上级单位，须在您的数据范围内")
    region_code: str


def _unit_fields(user: User, payload: UnitIn) -> tuple[Region, Unit | None]:
    region = get_region(payload.region_code)
    if region is None:
        raise OrgValidationError({"region": _("区划代码 %(code)s 不存在，请核对。") % {"code": payload.region_code}})
    parent = None
    if payload.parent_id is not None:
        parent = unit_list(user=user).filter(pk=payload.parent_id).first()
        if parent is None:
            raise OrgValidationError({"parent": _("上级单位不存在或不在您的数据范围内。")}, code="out_of_scope")
    return region, parent


def _require_unit_editor(user: User) -> None:
    access = access_for(user)
    if not (access.can_admin_org or access.can_edit):
        raise HttpError(403, _("您的角色无权维护单位。"))


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def units(request: HttpRequest, q: str = "", kind: str = "", parent: int | None = None) -> Any:
    """List the units within your scope."""
    return unit_list(user=_user(request), q=q.strip(), kind=kind, parent_id=parent)


@router.post("/units", response={201: UnitOut})
def unit_new(request: HttpRequest, payload: UnitIn) -> Status[Unit]:
    """Create a unit under a parent within your scope."""
    user = _user(request)
    _require_unit_editor(user)
    region, parent = _unit_fields(user, payload)
    unit = unit_create(actor=user, name=payload.name, region=region, parent=parent, kind=payload.kind)
    return Status(201, get_unit_for_user(user=user, pk=unit.pk))


@router.get("/units/{int:unit_id}", response=UnitOut)
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    """Return one unit (404 when it is outside your scope)."""
    return get_unit_for_user(user=_user(request), pk=unit_id)


@router.put("/units/{int:unit_id}", response=UnitOut)
def unit_change(request: HttpRequest, unit_id: int, payload: UnitIn) -> Unit:
    """Rename or move a unit; moving takes its whole subtree along (and the scope of its users)."""
    user = _user(request)
    unit = get_unit_for_user(user=user, pk=unit_id)
    _require_unit_editor(user)
    region, parent = _unit_fields_for_update(user, unit, payload)
    unit_update(actor=user, unit=unit, name=payload.name, region=region, parent=parent, kind=payload.kind)
    return get_unit_for_user(user=user, pk=unit_id)


def _unit_fields_for_update(user: User, unit: Unit, payload: UnitIn) -> tuple[Region, Unit | None]:
    """As `_unit_fields`, but the unit may keep a current parent that lies outside the user's scope."""
    if payload.parent_id is not None and payload.parent_id == unit.parent_id:
        region = get_region(payload.region_code)
        if region is None:
            raise OrgValidationError(
                {"region": _("区划代码 %(code)s 不存在，请核对。") % {"code": payload.region_code}}
            )
        return region, unit.parent
    return _unit_fields(user, payload)
