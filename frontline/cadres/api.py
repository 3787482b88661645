"""API for the cadre registry, mounted at /api/v1/cadres.

Reads go through the selectors (a cadre outside your scope is a 404), writes through the same
services as the pages. ID numbers and phones appear masked; the full numbers only through
POST /{id}/sensitive, which is audited. Field errors: 400 with `errors` {field: message};
a stale `version`: 409 with `current_version`.
"""

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.cadres.models import Cadre, PoliticalStatus, Rank
from frontline.cadres.selectors import cadre_list, get_cadre_for_user
from frontline.cadres.services import (
    CadreData,
    CadreValidationError,
    cadre_create,
    cadre_data_for,
    cadre_delete,
    cadre_reveal_sensitive,
    cadre_update,
)
from frontline.core.access import access_for
from frontline.core.models import User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region
from frontline.org.selectors import get_unit_for_user

router = Router(tags=["cadres"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ErrorOut(Schema):
    detail: str
    code: str


class CadreOut(Schema):
    id: int
    name: str
    name_pinyin: str
    name_initials: str
    gender: str
    gender_label: str
    birth_date: date
    id_number_masked: str
    phone_masked: str
    political_status: str
    political_status_label: str
    home_unit_id: int
    home_unit_name: str = Field(..., alias="home_unit.name")
    position: str
    rank: int
    rank_label: str
    expertise: list[str]
    full_time_eligible: bool
    residence_region_code: str | None = Field(None, alias="residence_region_id")
    home_latitude: float | None
    home_longitude: float | None
    note: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_expertise(obj: Cadre) -> list[str]:
        return [tag.name for tag in obj.expertise.all()]

    @staticmethod
    def resolve_gender_label(obj: Cadre) -> str:
        return str(obj.get_gender_display())

    @staticmethod
    def resolve_political_status_label(obj: Cadre) -> str:
        return str(obj.get_political_status_display())

    @staticmethod
    def resolve_rank_label(obj: Cadre) -> str:
        return str(obj.get_rank_display())


class CadreIn(Schema):
    name: str
    id_number: str = Field(..., description="18-character resident ID number")
    home_unit_id: int = Field(..., description="a unit within your scope")
    phone: str = ""
    gender: str = Field("", description="M or F; empty: taken from the ID number")
    birth_date: date | None = Field(None, description="empty: taken from the ID number")
    political_status: str = PoliticalStatus.PARTY_MEMBER.value
    position: str = ""
    rank: int = Rank.STAFF.value
    expertise: list[str] = Field(default_factory=list)
    full_time_eligible: bool = True
    residence_region_code: str | None = Field(None, description="statistical division code, 2 to 12 digits")
    home_latitude: float | None = None
    home_longitude: float | None = None
    note: str = ""


class CadreUpdateIn(Schema):
    """Fields left out keep their value; `id_number` and `phone` may be left out as they cannot be read back."""

    version: int = Field(..., description="the `version` you read; a stale one gives 409")
    name: str | None = None
    id_number: str | None = None
    home_unit_id: int | None = None
    phone: str | None = Field(None, description='omit to keep, "" to remove')
    gender: str | None = None
    birth_date: date | None = None
    political_status: str | None = None
    position: str | None = None
    rank: int | None = None
    expertise: list[str] | None = None
    full_time_eligible: bool | None = None
    residence_region_code: str | None = Field(None, description="null to clear")
    home_latitude: float | None = None
    home_longitude: float | None = None
    note: str | None = None


class SensitiveOut(Schema):
    id_number: str
    phone: str


def _region(code: str | None) -> Region | None:
    code = (code or "").strip()
    if not code:
        return None
    region = None
    if code.isdigit() and len(code) in LEVEL_PREFIX_LENGTH.values():
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
    if region is None:
        raise CadreValidationError({"residence_region_code": _("区划代码 %(code)s 不存在。") % {"code": code}})
    return region


# CadreUpdateIn fields that keep their value when left out or null, and those that null clears.
_KEPT_UNLESS_GIVEN = (
    "name",
    "id_number",
    "phone",
    "gender",
    "political_status",
    "position",
    "note",
    "rank",
    "expertise",
    "full_time_eligible",
)
_NULLABLE = ("birth_date", "home_latitude", "home_longitude")


def _forbidden() -> Status[dict[str, str]]:
    return Status(403, {"detail": _("您的角色无权修改干部信息。"), "code": "forbidden"})


@router.get("", response=list[CadreOut])
@paginate(LimitOffsetPagination)
def cadres(
    request: HttpRequest,
    q: str = "",
    unit: int | None = None,
    rank: int | None = None,
    tag: str = "",
    political_status: str = "",
    full_time_eligible: bool | None = None,
) -> Any:
    """List the cadres within your scope.

    `q` matches the name, pinyin or its initials ("zwq"), the home unit's name, an expertise
    tag, or a full ID or mobile number.
    """
    return cadre_list(
        user=_user(request),
        q=q,
        unit_id=unit,
        rank=rank,
        tag=tag.strip(),
        political_status=political_status,
        full_time_eligible=full_time_eligible,
    ).prefetch_related("expertise")


@router.get("/{cadre_id}", response=CadreOut)
def cadre(request: HttpRequest, cadre_id: int) -> Cadre:
    """Return one cadre, with the ID and phone masked."""
    return get_cadre_for_user(user=_user(request), pk=cadre_id)


@router.post("", response={201: CadreOut, 403: ErrorOut})
def cadre_new(request: HttpRequest, payload: CadreIn) -> Status[Any]:
    """Register a cadre in a unit within your scope (needs a role that may edit)."""
    user = _user(request)
    if not access_for(user).can_edit:
        return _forbidden()
    data = CadreData(
        name=payload.name,
        id_number=payload.id_number,
        home_unit=get_unit_for_user(user=user, pk=payload.home_unit_id),
        phone=payload.phone,
        gender=payload.gender,
        birth_date=payload.birth_date,
        political_status=payload.political_status,
        position=payload.position,
        rank=payload.rank,
        expertise=payload.expertise,
        full_time_eligible=payload.full_time_eligible,
        residence_region=_region(payload.residence_region_code),
        home_latitude=payload.home_latitude,
        home_longitude=payload.home_longitude,
        note=payload.note,
    )
    created = cadre_create(actor=user, data=data)
    return Status(201, get_cadre_for_user(user=user, pk=created.pk))


@router.put("/{cadre_id}", response={200: CadreOut, 403: ErrorOut})
def cadre_edit(request: HttpRequest, cadre_id: int, payload: CadreUpdateIn) -> Status[Any]:
    """Update a cadre; send the `version` you read (409 if someone changed it since)."""
    user = _user(request)
    current = get_cadre_for_user(user=user, pk=cadre_id)
    if not access_for(user).can_edit:
        return _forbidden()
    data = cadre_data_for(current)
    given = payload.model_dump(exclude_unset=True)
    if given.get("id_number") is not None:
        # A new ID number brings its own gender and birth date unless they are sent too.
        data.gender, data.birth_date = "", None
    for name in _KEPT_UNLESS_GIVEN:
        if given.get(name) is not None:
            setattr(data, name, given[name])
    for name in _NULLABLE:
        if name in given:
            setattr(data, name, given[name])
    if given.get("home_unit_id") is not None:
        data.home_unit = get_unit_for_user(user=user, pk=given["home_unit_id"])
    if "residence_region_code" in given:
        data.residence_region = _region(given["residence_region_code"])
    cadre_update(actor=user, cadre=current, data=data, expected_version=payload.version)
    return Status(200, get_cadre_for_user(user=user, pk=cadre_id))


@router.delete("/{cadre_id}", response={204: None, 403: ErrorOut})
def cadre_remove(request: HttpRequest, cadre_id: int) -> Status[Any]:
    """Delete a cadre (refused with code "protected" while deployments or groups refer to it)."""
    user = _user(request)
    current = get_cadre_for_user(user=user, pk=cadre_id)
    if not access_for(user).can_edit:
        return _forbidden()
    cadre_delete(actor=user, cadre=current)
    return Status(204, None)


@router.post("/{cadre_id}/sensitive", response=SensitiveOut)
def cadre_sensitive(request: HttpRequest, cadre_id: int) -> dict[str, str]:
    """Return the full ID and phone numbers; the view is audited. 404 for roles without the permission."""
    user = _user(request)
    current = get_cadre_for_user(user=user, pk=cadre_id)
    if not access_for(user).can_view_sensitive:
        raise Http404
    return cadre_reveal_sensitive(actor=user, cadre=current)
