"""Every write to the cadre registry: validation, encryption, optimistic locking and audit."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from frontline.cadres.models import Cadre, ExpertiseTag, Gender, PoliticalStatus, Rank
from frontline.core import crypto
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.idcodes import CodeError, mask_mobile, parse_resident_id, validate_mobile
from frontline.core.models import AuditAction, User
from frontline.org.models import Region, Unit

AUDITED_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "political_status",
    "home_unit_id",
    "position",
    "rank",
    "full_time_eligible",
    "residence_region_id",
    "home_latitude",
    "home_longitude",
    "note",
)


class CadreValidationError(ApplicationError):
    """Field-level errors: {field: message}, each in Chinese and actionable."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": errors})
        self.errors = errors


@dataclass
class CadreData:
    """The input of a create or update, as typed by a person or read from a sheet."""

    name: str
    id_number: str
    home_unit: Unit
    phone: str = ""
    gender: str = ""
    birth_date: date | None = None
    political_status: str = PoliticalStatus.PARTY_MEMBER
    position: str = ""
    rank: int = Rank.STAFF
    expertise: list[str] = field(default_factory=list)
    full_time_eligible: bool = True
    residence_region: Region | None = None
    home_latitude: float | None = None
    home_longitude: float | None = None
    note: str = ""


def name_pinyin(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) in lower case without spaces: ("zhangwenqiang", "zwq")."""
    full = "".join(lazy_pinyin(name)).lower().replace(" ", "")
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower().replace(" ", "")
    return full[:200], initials[:50]


def validate_cadre_data(data: CadreData, *, today: date) -> tuple[dict[str, str], dict[str, object]]:
    """Return (errors by field, normalized values). Shared by forms, the API and imports."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("姓名不能为空。")
    elif len(name) > 50:
        errors["name"] = _("姓名不能超过 50 个字符。")
    values["name"] = name
    try:
        rid = parse_resident_id(data.id_number, today=today)
    except CodeError as exc:
        errors["id_number"] = _(exc.message) % exc.params
    else:
        values["id_number"] = rid.number
        if data.gender and data.gender != rid.gender:
            errors["gender"] = _("性别与身份证号不一致：身份证号显示为%(gender)s。") % {
                "gender": Gender(rid.gender).label
            }
        if data.birth_date and data.birth_date != rid.birth_date:
            errors["birth_date"] = _("出生日期与身份证号不一致：身份证号显示为 %(date)s。") % {
                "date": f"{rid.birth_date:%Y-%m-%d}"
            }
        values["gender"] = rid.gender
        values["birth_date"] = rid.birth_date
        age = (today - rid.birth_date).days // 365
        if age < 16:
            errors["id_number"] = _("按身份证号计算年龄为 %(age)s 岁，不可能是在职干部，请核对。") % {"age": age}
    phone = (data.phone or "").strip()
    if phone:
        try:
            values["phone"] = validate_mobile(phone)
        except CodeError as exc:
            errors["phone"] = _(exc.message) % exc.params
    else:
        values["phone"] = ""
    if data.political_status not in PoliticalStatus.values:
        errors["political_status"] = _("政治面貌无效。")
    if data.rank not in Rank.values:
        errors["rank"] = _("职级无效。")
    for name_field, lat_or_lng, bound in (
        ("home_latitude", data.home_latitude, 90),
        ("home_longitude", data.home_longitude, 180),
    ):
        if lat_or_lng is not None and not -bound <= lat_or_lng <= bound:
            errors[name_field] = _("坐标超出范围（-%(bound)s 到 %(bound)s）。") % {"bound": bound}
    tags = []
    for tag in data.expertise:
        tag = tag.strip()
        if not tag:
            continue
        if len(tag) > 30:
            errors["expertise"] = _("专长标签“%(tag)s…”超过 30 个字符。") % {"tag": tag[:10]}
        tags.append(tag)
    values["expertise"] = list(dict.fromkeys(tags))
    return errors, values


def _apply(cadre: Cadre, data: CadreData, values: dict[str, object]) -> None:
    cadre.name = str(values["name"])
    cadre.name_pinyin, cadre.name_initials = name_pinyin(cadre.name)
    id_number = str(values["id_number"])
    cadre.id_number_hash = crypto.keyed_hash(id_number)
    if cadre.pk is None or crypto.decrypt(cadre.id_number_encrypted) != id_number:
        cadre.id_number_encrypted = crypto.encrypt(id_number)
    cadre.id_number_masked = id_number[:6] + "*" * 8 + id_number[14:]
    phone = str(values["phone"])
    cadre.phone_encrypted = crypto.encrypt(phone)
    cadre.phone_hash = crypto.keyed_hash(phone)
    cadre.phone_masked = mask_mobile(phone) if phone else ""
    cadre.gender = str(values["gender"])
    birth = values["birth_date"]
    assert isinstance(birth, date)
    cadre.birth_date = birth
    cadre.political_status = data.political_status
    cadre.home_unit = data.home_unit
    cadre.position = data.position.strip()
    cadre.rank = data.rank
    cadre.full_time_eligible = data.full_time_eligible
    cadre.residence_region = data.residence_region
    cadre.home_latitude = data.home_latitude
    cadre.home_longitude = data.home_longitude
    cadre.note = data.note.strip()


def tags_by_name(names: list[str]) -> list[ExpertiseTag]:
    """Return the tags with these names, creating the missing ones."""
    if not names:
        return []
    ExpertiseTag.objects.bulk_create([ExpertiseTag(name=n) for n in names], ignore_conflicts=True)
    return list(ExpertiseTag.objects.filter(name__in=names))


def _check_unique_id(id_hash: str, exclude_pk: int | None) -> None:
    qs = Cadre.objects.filter(id_number_hash=id_hash)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise CadreValidationError({"id_number": _("该身份证号已登记，同一干部不能重复录入。")})


@transaction.atomic
def cadre_create(*, actor: User | None, data: CadreData, today: date | None = None) -> Cadre:
    """Validate and create a cadre, audited in the same transaction."""
    errors, values = validate_cadre_data(data, today=today or timezone.localdate())
    if errors:
        raise CadreValidationError(errors)
    cadre = Cadre(created_by=actor if actor is not None and actor.pk else None)
    _apply(cadre, data, values)
    _check_unique_id(cadre.id_number_hash, None)
    cadre.save()
    tags = values["expertise"]
    assert isinstance(tags, list)
    cadre.expertise.set(tags_by_name(tags))
    after = snapshot(cadre, AUDITED_FIELDS)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=cadre,
        changes={k: (None, v) for k, v in after.items() if v not in (None, "")} | {"expertise": (None, tags)},
    )
    return cadre


@transaction.atomic
def cadre_update(
    *, actor: User | None, cadre: Cadre, data: CadreData, expected_version: int, today: date | None = None
) -> Cadre:
    """Update a cadre if nobody changed it since `expected_version` was read; audit the difference."""
    locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if locked.version != expected_version:
        raise ConflictError(_("该干部信息已被他人修改，请查看最新内容后再保存。"), current_version=locked.version)
    errors, values = validate_cadre_data(data, today=today or timezone.localdate())
    if errors:
        raise CadreValidationError(errors)
    before = snapshot(locked, AUDITED_FIELDS)
    before_tags = sorted(locked.expertise.values_list("name", flat=True))
    _apply(locked, data, values)
    _check_unique_id(locked.id_number_hash, locked.pk)
    locked.version += 1
    locked.save()
    tags = values["expertise"]
    assert isinstance(tags, list)
    locked.expertise.set(tags_by_name(tags))
    changes = diff(before, snapshot(locked, AUDITED_FIELDS))
    if sorted(tags) != before_tags:
        changes["expertise"] = (before_tags, sorted(tags))
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def cadre_delete(*, actor: User | None, cadre: Cadre) -> None:
    """Delete a cadre and audit it (the audit row keeps the masked ID only).

    A cadre still referenced by deployments, working groups or responsibility assignments is
    refused with code "protected"; those records are history and keep the cadre.
    """
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        obj=cadre,
        changes={"name": (cadre.name, None), "id_number_masked": (cadre.id_number_masked, None)},
    )
    try:
        cadre.delete()
    except ProtectedError:
        raise ApplicationError(
            _("该干部已有下沉任职、工作组或包保记录，不能删除；如已调离，请在备注中说明。"), code="protected"
        ) from None


def cadre_data_for(cadre: Cadre) -> CadreData:
    """Return the cadre's current values as `CadreData`, ID and phone decrypted.

    Callers that change only some fields (an edit form that leaves the masked ID untouched, an
    API update that omits fields) start from this and replace what the person typed.
    """
    return CadreData(
        name=cadre.name,
        id_number=crypto.decrypt(cadre.id_number_encrypted),
        home_unit=cadre.home_unit,
        phone=crypto.decrypt(cadre.phone_encrypted),
        gender=cadre.gender,
        birth_date=cadre.birth_date,
        political_status=cadre.political_status,
        position=cadre.position,
        rank=cadre.rank,
        expertise=[tag.name for tag in cadre.expertise.all()],
        full_time_eligible=cadre.full_time_eligible,
        residence_region=cadre.residence_region,
        home_latitude=cadre.home_latitude,
        home_longitude=cadre.home_longitude,
        note=cadre.note,
    )


@transaction.atomic
def cadre_reveal_sensitive(*, actor: User, cadre: Cadre) -> dict[str, str]:
    """Return the full ID number and phone for a role that may see them; audit the view."""
    from frontline.core.access import access_for

    if not access_for(actor).can_view_sensitive:
        raise ApplicationError(_("您的角色无权查看完整身份证号和手机号。"), code="forbidden")
    audit(actor=actor, action=AuditAction.VIEW_SENSITIVE, obj=cadre, note="id_number, phone")
    return {"id_number": crypto.decrypt(cadre.id_number_encrypted), "phone": crypto.decrypt(cadre.phone_encrypted)}
