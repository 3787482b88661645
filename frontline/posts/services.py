"""Every write to frontline posts: validation by kind, parent rules, scope, optimistic locking, audit."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontline.core.access import access_for
from frontline.core.audit import audit, diff, snapshot
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.idcodes import CodeError, validate_uscc
from frontline.core.models import AuditAction, User
from frontline.org.models import Region, Unit
from frontline.org.selectors import get_region, unit_list
from frontline.posts.models import EnterpriseSize, Post, PostKind, ProjectStage
from frontline.posts.selectors import post_list

AUDITED_FIELDS = (
    "kind",
    "name",
    "region_id",
    "unit_id",
    "parent_id",
    "address",
    "latitude",
    "longitude",
    "is_key",
    "description",
    "uscc",
    "industry",
    "size",
    "investment",
    "stage",
    "planned_start",
    "actual_start",
    "households",
)

# A sub-project belongs to a project, a grid to a village or community, a building to a grid;
# the other kinds stand alone.
PARENT_KINDS: dict[str, frozenset[str]] = {
    PostKind.PROJECT: frozenset({PostKind.PROJECT}),
    PostKind.GRID: frozenset({PostKind.VILLAGE, PostKind.COMMUNITY}),
    PostKind.BUILDING: frozenset({PostKind.GRID}),
}
PROJECT_FIELDS = {
    "investment": gettext_lazy("总投资"),
    "stage": gettext_lazy("阶段"),
    "planned_start": gettext_lazy("计划开工"),
    "actual_start": gettext_lazy("实际开工"),
}
MAX_INVESTMENT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
MAX_PARENT_DEPTH = 50


class PostValidationError(ApplicationError):
    """Field-level errors: {field: message}, each in Chinese and actionable."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": errors})
        self.errors = errors


@dataclass
class PostData:
    """The input of a create or update, from a form or the API."""

    kind: str
    name: str
    region_code: str
    unit_id: int | None
    parent_id: int | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_key: bool = False
    description: str = ""
    uscc: str = ""
    industry: str = ""
    size: str = ""
    investment: Decimal | None = None
    stage: str = ""
    planned_start: date | None = None
    actual_start: date | None = None
    households: int | None = None


@dataclass
class ResolvedPost:
    """The checked input: objects looked up, USCC normalized, investment rounded to cents."""

    region: Region
    unit: Unit
    parent: Post | None
    uscc: str
    investment: Decimal | None


def _labels(kinds: frozenset[str]) -> str:
    return _("或").join(str(PostKind(k).label) for k in PostKind.values if k in kinds)


def _check_text(errors: dict[str, str], data: PostData) -> None:
    name = data.name.strip()
    if not name:
        errors["name"] = _("名称不能为空。")
    elif len(name) > 200:
        errors["name"] = _("名称不能超过 200 个字符。")
    for field_name, label, limit in (("address", _("地址"), 300), ("industry", _("行业"), 100)):
        if len(getattr(data, field_name).strip()) > limit:
            errors[field_name] = _("%(label)s不能超过 %(limit)s 个字符。") % {"label": label, "limit": limit}


def _check_coordinates(errors: dict[str, str], data: PostData) -> None:
    for field_name, label, value, bound in (
        ("latitude", _("纬度"), data.latitude, 90),
        ("longitude", _("经度"), data.longitude, 180),
    ):
        if value is not None and (not math.isfinite(value) or not -bound <= value <= bound):
            errors[field_name] = _(
                "%(label)s超出范围，应在 -%(bound)s 到 %(bound)s 之间（如新港园区约为北纬 30.0、东经 115.2）。"
            ) % {"label": label, "bound": bound}
    if (data.latitude is None) != (data.longitude is None) and not errors.keys() & {"latitude", "longitude"}:
        missing = "longitude" if data.longitude is None else "latitude"
        errors[missing] = _("经度和纬度需要同时填写，或同时留空。")


def _check_enterprise(errors: dict[str, str], data: PostData, post: Post | None, actor: User | None) -> str:
    """Return the normalized USCC ("" for other kinds)."""
    if data.kind != PostKind.ENTERPRISE:
        if data.uscc.strip():
            errors["uscc"] = _("只有企业填写统一社会信用代码，其他类型请清空。")
        if data.size:
            errors["size"] = _("只有企业填写规模，其他类型请清空。")
        return ""
    if data.size and data.size not in EnterpriseSize.values:
        errors["size"] = _("企业规模无效，请选择微型、小型、中型或大型。")
    try:
        code = validate_uscc(data.uscc)
    except CodeError as exc:
        errors["uscc"] = _(exc.message) % exc.params
        return ""
    taken = Post.objects.filter(uscc=code)
    if post is not None:
        taken = taken.exclude(pk=post.pk)
    other = taken.first()
    if other is not None:
        visible = actor is None or post_list(user=actor).filter(pk=other.pk).exists()
        errors["uscc"] = (
            _("该统一社会信用代码已登记为“%(name)s”，同一企业不能重复录入。") % {"name": other.name}
            if visible
            else _("该统一社会信用代码已在系统中登记（不在您的数据范围内），同一企业不能重复录入。")
        )
    return code


def _check_project(errors: dict[str, str], data: PostData, today: date) -> Decimal | None:
    """Return the investment rounded to cents."""
    if data.kind != PostKind.PROJECT:
        for field_name, label in PROJECT_FIELDS.items():
            if getattr(data, field_name) not in (None, ""):
                errors[field_name] = _("只有项目填写%(field)s，其他类型请清空。") % {"field": label}
        return None
    investment = data.investment
    if investment is not None:
        try:
            investment = Decimal(investment).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            errors["investment"] = _("总投资应为数字（单位：万元）。")
            investment = None
        else:
            if investment < 0:
                errors["investment"] = _("总投资不能为负数（单位：万元）。")
            elif investment > MAX_INVESTMENT:
                errors["investment"] = _("总投资超出范围，请以万元为单位填写。")
    if data.stage and data.stage not in ProjectStage.values:
        errors["stage"] = _("项目阶段无效。")
    if data.actual_start is not None and data.actual_start > today:
        errors["actual_start"] = _("实际开工日期 %(date)s 晚于今天；尚未开工请填写计划开工日期。") % {
            "date": f"{data.actual_start:%Y-%m-%d}"
        }
    return investment


def _check_households(errors: dict[str, str], data: PostData) -> None:
    if data.households is not None and data.households < 0:
        errors["households"] = _("户数不能为负数。")


def _resolve_region(errors: dict[str, str], data: PostData) -> Region | None:
    if not data.region_code.strip():
        errors["region"] = _("请填写所在区划代码（12 位，或其前缀，如 420222103 表示韦源口镇）。")
        return None
    region = get_region(data.region_code)
    if region is None:
        errors["region"] = _("区划代码 %(code)s 不存在，请核对（12 位，或其前缀）。") % {
            "code": data.region_code.strip()
        }
        return None
    if not region.is_active:
        errors["region"] = _("区划“%(name)s”（%(code)s）已撤销，请选择现行区划。") % {
            "name": region.name,
            "code": region.code,
        }
        return None
    return region


def _resolve_unit(errors: dict[str, str], data: PostData, actor: User | None) -> Unit | None:
    if data.unit_id is None:
        errors["unit"] = _("请选择管理单位。")
        return None
    units = unit_list(user=actor) if actor is not None else Unit.objects.all()
    unit = units.filter(pk=data.unit_id).first()
    if unit is None:
        errors["unit"] = _("管理单位不存在或不在您的数据范围内。")
    return unit


def _resolve_parent(errors: dict[str, str], data: PostData, post: Post | None, actor: User | None) -> Post | None:
    if data.parent_id is None:
        return None
    allowed = PARENT_KINDS.get(data.kind)
    if allowed is None:
        if data.kind in PostKind.values:
            errors["parent"] = _("“%(kind)s”类阵地没有上级，请清空上级。") % {"kind": PostKind(data.kind).label}
        return None
    posts = post_list(user=actor) if actor is not None else Post.objects.all()
    parent = posts.filter(pk=data.parent_id).first()
    if parent is None:
        errors["parent"] = _("上级阵地不存在或不在您的数据范围内。")
        return None
    if parent.kind not in allowed:
        errors["parent"] = _("%(kind)s的上级应为%(allowed)s，“%(parent)s”是%(parent_kind)s。") % {
            "kind": PostKind(data.kind).label,
            "allowed": _labels(allowed),
            "parent": parent.name,
            "parent_kind": parent.get_kind_display(),
        }
        return None
    if post is not None and _is_ancestor_or_self(post.pk, parent):
        errors["parent"] = _("不能把阵地设在它自己或它的下级之下。")
        return None
    return parent


def _is_ancestor_or_self(pk: int, start: Post) -> bool:
    """Return whether post `pk` is `start` or an ancestor of it: then `start` cannot become its parent."""
    current_id: int | None = start.pk
    for _depth in range(MAX_PARENT_DEPTH):
        if current_id is None:
            return False
        if current_id == pk:
            return True
        current_id = Post.objects.filter(pk=current_id).values_list("parent_id", flat=True).first()
    return True  # a chain this long is itself broken; refuse rather than loop


def _check_children_fit(errors: dict[str, str], data: PostData, post: Post | None) -> None:
    """Refuse a change of kind that would leave existing children under the wrong kind of parent."""
    if post is None or post.kind == data.kind:
        return
    child_kinds = set(post.children.values_list("kind", flat=True).distinct())
    misfits = sorted(k for k in child_kinds if data.kind not in PARENT_KINDS.get(k, frozenset()))
    if misfits:
        labels = _("、").join(str(PostKind(k).label) for k in misfits)
        errors["kind"] = _("该阵地下有%(children)s，改为“%(kind)s”后它们将没有合适的上级；请先移走下级阵地。") % {
            "children": labels,
            "kind": PostKind(data.kind).label,
        }


def validate_post_data(
    data: PostData, *, actor: User | None, post: Post | None = None, today: date
) -> tuple[dict[str, str], ResolvedPost | None]:
    """Return (errors by field, resolved values); the resolved values are None when there are errors."""
    errors: dict[str, str] = {}
    if data.kind not in PostKind.values:
        errors["kind"] = _("阵地类型无效，请选择企业、项目、村、社区、网格或楼栋。")
    _check_text(errors, data)
    _check_coordinates(errors, data)
    uscc = _check_enterprise(errors, data, post, actor)
    investment = _check_project(errors, data, today)
    _check_households(errors, data)
    region = _resolve_region(errors, data)
    unit = _resolve_unit(errors, data, actor)
    parent = _resolve_parent(errors, data, post, actor)
    _check_children_fit(errors, data, post)
    if errors or region is None or unit is None:
        return errors, None
    return errors, ResolvedPost(region=region, unit=unit, parent=parent, uscc=uscc, investment=investment)


def _require_editor(actor: User | None) -> None:
    if actor is not None and not access_for(actor).can_edit:
        raise ApplicationError(_("您的角色无权编辑一线阵地。"), code="forbidden")


def _require_in_scope(actor: User | None, post: Post) -> None:
    if actor is not None and not post_list(user=actor).filter(pk=post.pk).exists():
        raise ApplicationError(_("该阵地不在您的数据范围内。"), code="out_of_scope")


def _apply(post: Post, data: PostData, resolved: ResolvedPost) -> None:
    post.kind = data.kind
    post.name = data.name.strip()
    post.region = resolved.region
    post.unit = resolved.unit
    post.parent = resolved.parent
    post.address = data.address.strip()
    post.latitude = data.latitude
    post.longitude = data.longitude
    post.is_key = data.is_key
    post.description = data.description.strip()
    post.uscc = resolved.uscc
    post.industry = data.industry.strip()
    post.size = data.size if data.kind == PostKind.ENTERPRISE else ""
    post.investment = resolved.investment
    post.stage = data.stage if data.kind == PostKind.PROJECT else ""
    post.planned_start = data.planned_start if data.kind == PostKind.PROJECT else None
    post.actual_start = data.actual_start if data.kind == PostKind.PROJECT else None
    post.households = data.households


def _save(post: Post) -> None:
    """Check the model's own rules and save; a concurrent duplicate USCC becomes a field error."""
    try:
        post.full_clean(
            exclude=["created_by", "region", "unit", "parent"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise PostValidationError({k: "；".join(v) for k, v in exc.message_dict.items()}) from exc
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError as exc:
        raise PostValidationError({"uscc": _("该统一社会信用代码已登记，同一企业不能重复录入。")}) from exc


@transaction.atomic
def post_create(*, actor: User | None, data: PostData, today: date | None = None) -> Post:
    """Validate and create a post, audited in the same transaction."""
    _require_editor(actor)
    errors, resolved = validate_post_data(data, actor=actor, today=today or timezone.localdate())
    if errors or resolved is None:
        raise PostValidationError(errors)
    post = Post(created_by=actor if actor is not None and actor.pk else None)
    _apply(post, data, resolved)
    _save(post)
    after = snapshot(post, AUDITED_FIELDS)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=post,
        changes={k: (None, v) for k, v in after.items() if v not in (None, "", False)},
    )
    return post


@transaction.atomic
def post_update(
    *, actor: User | None, post: Post, data: PostData, expected_version: int, today: date | None = None
) -> Post:
    """Update a post if nobody changed it since `expected_version` was read; audit the difference."""
    _require_editor(actor)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    _require_in_scope(actor, locked)
    if locked.version != expected_version:
        raise ConflictError(_("该阵地信息已被他人修改，请查看最新内容后再保存。"), current_version=locked.version)
    errors, resolved = validate_post_data(data, actor=actor, post=locked, today=today or timezone.localdate())
    if errors or resolved is None:
        raise PostValidationError(errors)
    before = snapshot(locked, AUDITED_FIELDS)
    _apply(locked, data, resolved)
    locked.version += 1
    _save(locked)
    changes = diff(before, snapshot(locked, AUDITED_FIELDS))
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def post_delete(*, actor: User | None, post: Post, expected_version: int | None = None) -> None:
    """Delete a post that has no children and no records attached; audit it."""
    _require_editor(actor)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    _require_in_scope(actor, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该阵地信息已被他人修改，请查看最新内容后再删除。"), current_version=locked.version)
    if locked.children.exists():
        raise ApplicationError(
            _("“%(name)s”下还有下级阵地（子项目、网格或楼栋），请先删除或移走它们。") % {"name": locked.name},
            code="has_children",
        )
    before = snapshot(locked, AUDITED_FIELDS)
    pk, label = locked.pk, str(locked)
    try:
        locked.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            _("“%(name)s”已有选派、走访、问题或包保记录，不能删除；如已不再使用，请在说明中注明。") % {"name": label},
            code="protected",
        ) from exc
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=Post._meta.label_lower,
        object_id=str(pk),
        object_repr=label,
        changes={k: (v, None) for k, v in before.items() if v not in (None, "", False)},
    )
