"""Every write to the ledger: problems (with idempotency and deadlines), visits, public intake,
ratings, deadline recomputation and the overdue job. Workflow transitions are in `workflow.py`."""

import hashlib
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.core import crypto
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.idcodes import CodeError, mask_mobile, validate_mobile
from frontline.core.inserts import insert_instance
from frontline.core.models import AuditAction, User
from frontline.dispatch.models import Deployment, DeploymentStatus
from frontline.ledger.holidays import load_calendar, work_calendar
from frontline.ledger.models import (
    OPEN_STATUSES,
    DeadlinePolicy,
    EscalationLevel,
    EscalationOwner,
    IntakeAttempt,
    ListItem,
    ListItemStatus,
    ListKind,
    Matchmaking,
    MatchmakingStatus,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemSource,
    ProblemStatus,
    Rating,
    RequesterKind,
    Visit,
)
from frontline.ledger.tally import TallyKey, tally_apply, tally_key, tally_move
from frontline.ledger.workdays import WorkCalendar, add_working_days
from frontline.ledger.workflow import Action, problem_transition
from frontline.org.models import Unit
from frontline.posts.models import Post, PostKind

S = ProblemStatus

# --- Deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    handover_days: int = 1
    feedback_days: int = 3
    resolve_days: int = 7


COMPLEX_RESOLVE_DAYS = 30  # the "30" of the 1-3-7-30 rule, for categories marked complex


# Categories, deadline policies and escalation owners change a few times a year, in the admin,
# and are read by every registration and transition: each process keeps what it read for
# REFERENCE_CACHE_SECONDS, like the holiday calendar, and drops it all as soon as one of them is
# saved or deleted in this process (other processes pick a change up within that time).
REFERENCE_CACHE_SECONDS = 60.0
_reference_cache: dict[Any, tuple[float, Any]] = {}


def _reference(key: Any, load: Callable[[], Any]) -> Any:
    cached = _reference_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < REFERENCE_CACHE_SECONDS:
        return cached[1]
    value = load()
    _reference_cache[key] = (now, value)
    return value


def forget_reference_data(**kwargs: Any) -> None:
    """Drop this process's cached categories, deadline policies and escalation owners (after an edit, in tests)."""
    _reference_cache.clear()


@receiver([post_save, post_delete], sender=DeadlinePolicy)
@receiver([post_save, post_delete], sender=EscalationOwner)
@receiver([post_save, post_delete], sender=ProblemCategory)
def _reference_changed(**kwargs: Any) -> None:
    forget_reference_data()
    transaction.on_commit(forget_reference_data)  # nor may a read made before the commit stay


def category_for(pk: int) -> ProblemCategory:
    """Return the category with this id (cached with the reference data), or raise Http404."""
    categories: dict[int, ProblemCategory] = _reference(
        "categories", lambda: {c.pk: c for c in ProblemCategory.objects.all()}
    )
    category = categories.get(pk)
    if category is None:  # added since the cache was filled, or unknown
        category = ProblemCategory.objects.filter(pk=pk).first()
        if category is None:
            raise Http404("No ProblemCategory matches the given query.")
    return category


def deadline_limits(category: ProblemCategory, level: int) -> Limits:
    """Return the most specific policy for (category, level); without one, the 1-3-7-30 rule."""
    policies: list[tuple[int | None, int | None, int, int, int]] = _reference(
        "deadline_policies",
        lambda: list(
            DeadlinePolicy.objects.values_list("category_id", "level", "handover_days", "feedback_days", "resolve_days")
        ),
    )
    rows = [p for p in policies if p[0] in (None, category.pk) and p[1] in (None, level)]
    best = max(rows, key=lambda p: (p[0] is not None, p[1] is not None), default=None)
    if best is not None:
        return Limits(*best[2:])
    return Limits(resolve_days=COMPLEX_RESOLVE_DAYS if category.is_complex else 7)


def problem_apply_deadlines(problem: Problem, *, today: date, calendar: WorkCalendar | None = None) -> None:
    """Compute the running deadlines from the clock start and the policy (on the object, not saved)."""
    clock = problem.clock_started_on or today
    calendar = calendar or work_calendar()
    limits = deadline_limits(problem.category, problem.level)
    confirmed = True
    if problem.status in (S.REGISTERED, S.SENT_BACK):
        handover = add_working_days(clock, limits.handover_days, calendar)
        problem.handover_due, confirmed = handover.due, handover.confirmed
        problem.feedback_due = problem.resolve_due = None
    elif problem.status in (S.HANDED_OVER, S.IN_PROGRESS):
        feedback = add_working_days(clock, limits.feedback_days, calendar)
        resolve = add_working_days(clock, limits.resolve_days, calendar)
        problem.feedback_due, problem.resolve_due = feedback.due, resolve.due
        confirmed = feedback.confirmed and resolve.confirmed
    elif problem.status == S.SUPERVISED:
        resolve = add_working_days(clock, limits.resolve_days, calendar)
        problem.resolve_due, confirmed = resolve.due, resolve.confirmed
        problem.feedback_due = None
    problem.deadline_unconfirmed = not confirmed
    problem.is_overdue = overdue_deadline(problem, today) is not None


def overdue_deadline(problem: Problem, today: date) -> date | None:
    """Return the earliest running deadline that has passed (a due day counts in full), or None."""
    passed: list[date] = []
    if problem.status in (S.REGISTERED, S.SENT_BACK) and problem.handover_due:
        passed.append(problem.handover_due)
    if problem.status in (S.HANDED_OVER, S.IN_PROGRESS) and problem.feedback_due and not problem.first_feedback_at:
        passed.append(problem.feedback_due)
    if problem.status in (S.HANDED_OVER, S.IN_PROGRESS, S.SUPERVISED) and problem.resolve_due:
        passed.append(problem.resolve_due)
    late = [d for d in passed if d < today]
    return min(late) if late else None


def problem_deadlines_recompute(*, actor: User | None, year: int, today: date | None = None) -> int:
    """Recompute the deadlines of open problems that a change to `year`'s calendar may move.

    Return how many problems changed. The rows that change are read again under a lock before
    they are written, so that a transition meanwhile is neither overwritten nor miscounted in the
    tally. The version is not bumped: nobody's decision depends on it.
    """
    today = today or timezone.localdate()
    start = date(year, 1, 1)
    candidates = (
        Problem.objects.filter(status__in=OPEN_STATUSES, clock_started_on__lte=date(year, 12, 31))
        .filter(
            Q(deadline_unconfirmed=True)
            | Q(handover_due__gte=start)
            | Q(feedback_due__gte=start)
            | Q(resolve_due__gte=start)
        )
        .select_related("category")
    )
    calendar = load_calendar()  # fresh: the edit that triggered this is not committed yet
    fields = ("handover_due", "feedback_due", "resolve_due", "deadline_unconfirmed", "is_overdue")

    def values(problem: Problem) -> dict[str, Any]:
        return {f: getattr(problem, f) for f in fields}

    moving = []
    for problem in candidates.iterator(chunk_size=500):
        before = values(problem)
        problem_apply_deadlines(problem, today=today, calendar=calendar)
        if values(problem) != before:
            moving.append(problem.pk)
    changed: list[Problem] = []
    deltas: Counter[TallyKey] = Counter()
    with transaction.atomic():
        for chunk in batched(moving, 500):
            for problem in candidates.filter(pk__in=chunk).select_for_update(of=("self",)).order_by("pk"):
                before, key = values(problem), tally_key(problem)
                problem_apply_deadlines(problem, today=today, calendar=calendar)
                after = values(problem)
                if before == after:
                    continue
                changed.append(problem)
                deltas[key] -= 1
                deltas[tally_key(problem)] += 1
                audit(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=problem,
                    changes={f: (before[f], after[f]) for f in fields if before[f] != after[f]},
                    note=f"deadlines recomputed after the {year} calendar changed",
                )
        Problem.objects.bulk_update(changed, fields, batch_size=500)
        tally_apply(deltas)
    return len(changed)


# --- Escalation ------------------------------------------------------------------------------


def initial_level(post: Post) -> EscalationLevel:
    """Return where a problem of this post starts: 小事不出楼栋、大事不出小区."""
    if post.kind == PostKind.BUILDING:
        return EscalationLevel.BUILDING
    if post.kind in (PostKind.GRID, PostKind.COMMUNITY, PostKind.VILLAGE):
        return EscalationLevel.GRID
    return EscalationLevel.TOWNSHIP


def escalation_owner_id_for(unit: Unit, level: int) -> int | None:
    """Return the id of the owner configured for `level` on the nearest unit at or above `unit`."""
    ids = [int(x) for x in unit.path.strip("/").split("/") if x] or [unit.pk]

    def load() -> int | None:
        owners = dict(EscalationOwner.objects.filter(unit_id__in=ids, level=level).values_list("unit_id", "user_id"))
        return next((owners[unit_id] for unit_id in reversed(ids) if unit_id in owners), None)

    owner_id: int | None = _reference(("escalation_owner", tuple(ids), level), load)
    return owner_id


def escalation_owner_for(unit: Unit, level: int) -> User | None:
    """Return the owner configured for `level` on the nearest unit at or above `unit`."""
    owner_id = escalation_owner_id_for(unit, level)
    return None if owner_id is None else User.objects.filter(pk=owner_id).first()


def escalate_overdue(*, today: date | None = None) -> dict[str, int]:
    """Mark overdue problems, escalate each once per passed deadline, and notify the owner."""
    today = today or timezone.localdate()
    handover_open = (S.REGISTERED, S.SENT_BACK)
    work_open = (S.HANDED_OVER, S.IN_PROGRESS, S.SUPERVISED)
    late = Problem.objects.filter(
        Q(status__in=handover_open, handover_due__lt=today)
        | Q(status__in=work_open, resolve_due__lt=today)
        | Q(status__in=(S.HANDED_OVER, S.IN_PROGRESS), feedback_due__lt=today, first_feedback_at__isnull=True)
    ).select_related("post_unit", "post", "department", "category")
    escalated = marked = skipped = 0
    for problem in late.iterator(chunk_size=200):
        due = overdue_deadline(problem, today)
        if due is None:
            continue
        if problem.escalated_for != due and problem.level < EscalationLevel.COUNTY:
            try:
                problem_transition(
                    actor=None,
                    problem=problem,
                    action=Action.ESCALATE,
                    expected_version=problem.version,
                    today=today,
                    note=f"期限 {due:%Y-%m-%d} 已过",
                    overdue_deadline=due,
                )
            except ConflictError:
                skipped += 1  # someone acted on it meanwhile; the next run looks again
            else:
                escalated += 1
        elif not problem.is_overdue and _problem_mark_overdue(problem.pk, today=today):
            marked += 1
    return {"escalated": escalated, "marked": marked, "skipped": skipped}


@transaction.atomic
def _problem_mark_overdue(pk: int, *, today: date) -> bool:
    """Flag a problem overdue if, locked and read again, it still has a passed deadline."""
    locked = Problem.objects.select_for_update().get(pk=pk)
    if locked.is_overdue or overdue_deadline(locked, today) is None:
        return False
    before = tally_key(locked)
    locked.is_overdue = True
    Problem.objects.filter(pk=pk).update(is_overdue=True)
    tally_move(before=before, after=tally_key(locked))
    return True


# --- Problems --------------------------------------------------------------------------------


@dataclass
class ProblemData:
    """The input of a new problem, as typed in the short form, the API or the public page."""

    post: Post
    category: ProblemCategory
    description: str
    title: str = ""
    source: str = ProblemSource.VISIT
    requester_kind: str = RequesterKind.RESIDENT
    requester_name: str = ""
    requester_phone: str = ""
    solution_plan: str = ""
    visit: Visit | None = None
    errors: dict[str, str] = field(default_factory=dict)


class ProblemValidationError(ApplicationError):
    """Field-level errors: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()), code="invalid", extra={"errors": errors})
        self.errors = errors


MAX_DESCRIPTION = 5000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def _idempotency_hash(actor: User | None, key: str) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > 200:
        raise ApplicationError(_("Idempotency-Key 过长（最多 200 个字符）。"), code="invalid")
    owner = f"user:{actor.pk}" if actor is not None else "public"
    return hashlib.sha256(f"{owner}:{key}".encode()).hexdigest()


def validate_problem_data(data: ProblemData) -> tuple[dict[str, str], dict[str, str]]:
    """Return (errors by field, normalized values)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    description = (data.description or "").strip()
    if not description:
        errors["description"] = _("请填写问题描述。")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("问题描述不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}
    values["description"] = description
    title = (data.title or "").strip()
    if not title and description:
        title = description.splitlines()[0][:30]
    if len(title) > 100:
        errors["title"] = _("标题不能超过 100 个字符。")
    values["title"] = title.strip()
    if not data.category.is_active:
        errors["category"] = _("问题类别“%(category)s”已停用，请选择其他类别。") % {"category": data.category}
    if data.source not in ProblemSource.values:
        errors["source"] = _("来源无效。")
    if data.requester_kind not in RequesterKind.values:
        errors["requester_kind"] = _("诉求人类型无效：请选择企业、群众或项目。")
    name = (data.requester_name or "").strip()
    if len(name) > 100:
        errors["requester_name"] = _("诉求人名称不能超过 100 个字符。")
    values["requester_name"] = name
    phone = (data.requester_phone or "").strip()
    values["requester_phone"] = ""
    if phone:
        try:
            values["requester_phone"] = validate_mobile(phone)
        except CodeError as exc:
            errors["requester_phone"] = _(exc.message) % exc.params
    plan = (data.solution_plan or "").strip()
    if len(plan) > MAX_DESCRIPTION:
        errors["solution_plan"] = _("解决方案不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}
    values["solution_plan"] = plan
    return errors, values


def problem_create(
    *, actor: User | None, data: ProblemData, idempotency_key: str = "", today: date | None = None
) -> tuple[Problem, bool]:
    """Register a problem; return it and whether it was created.

    A repeated submission with the same idempotency key (double tap, retry after a timeout)
    returns the problem the first one created. Both the key and the tracking code are left to
    the database's unique constraints rather than checked first: a retry or a tracking-code
    collision (one in ~10^15 per pair) fails the insert, and the IntegrityError tells which.
    """
    key_hash = _idempotency_hash(actor, idempotency_key)
    errors, values = validate_problem_data(data)
    if errors:
        existing = _problem_by_key(key_hash)
        if existing is not None:  # a retry of a request that was valid then (e.g. the category is off now)
            return existing, False
        raise ProblemValidationError(errors)
    for attempt in range(TRACKING_CODE_ATTEMPTS):
        tracking_code = new_tracking_code()
        try:
            with transaction.atomic():
                problem = _problem_insert(
                    actor=actor, data=data, values=values, key_hash=key_hash, today=today, tracking_code=tracking_code
                )
            return problem, True
        except IntegrityError:
            existing = _problem_by_key(key_hash)
            if existing is not None:
                return existing, False
            taken = Problem.objects.filter(tracking_code=tracking_code).exists()
            if not taken or attempt == TRACKING_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


TRACKING_CODE_ATTEMPTS = 3


def _problem_by_key(key_hash: str | None) -> Problem | None:
    if not key_hash:
        return None
    return Problem.objects.select_related("post", "category").filter(idempotency_key=key_hash).first()


def _deployed_cadre_sql() -> tuple[str, str]:
    """Return SQL choosing the cadre deployed at a post (full-time first, then the longest-serving).

    A new problem counts for the registering cadre (whose record comes with an API principal, see
    `frontline.api.bearer_user`, or is loaded) or else for this cadre; the scalar subquery goes into
    the problem's INSERT, which saves a round trip per registration. Its params: post id, status.
    """
    qn = connection.ops.quote_name
    table = qn(Deployment._meta.db_table)
    return (
        f"(SELECT {qn('cadre_id')} FROM {table} WHERE {qn('post_id')} = %s AND {qn('status')} = %s "  # noqa: S608
        f"ORDER BY {qn('is_full_time')} DESC, {qn('start_date')} ASC, {qn('id')} ASC LIMIT 1)",
        str(DeploymentStatus.ACTIVE),
    )


def _problem_insert(
    *,
    actor: User | None,
    data: ProblemData,
    values: dict[str, str],
    key_hash: str | None,
    today: date | None,
    tracking_code: str,
) -> Problem:
    now = timezone.now()
    today = today or timezone.localdate(now)
    post = data.post
    level = initial_level(post)
    phone = values["requester_phone"]
    problem = Problem(
        tracking_code=tracking_code,
        source=data.source,
        requester_kind=data.requester_kind,
        requester_name=values["requester_name"],
        requester_phone_encrypted=crypto.encrypt(phone),
        requester_phone_masked=mask_mobile(phone) if phone else "",
        post=post,
        post_unit_id=post.unit_id,
        region_id=post.region_id,
        visit=data.visit,
        category=data.category,
        title=values["title"],
        description=values["description"],
        solution_plan=values["solution_plan"],
        level=level,
        owner_id=escalation_owner_id_for(post.unit, level) or (actor.pk if actor is not None and actor.pk else None),
        idempotency_key=key_hash,
        created_by=actor if actor is not None and actor.pk else None,
        created_at=now,
        clock_started_on=today,
    )
    problem_apply_deadlines(problem, today=today)
    # One compiled INSERT a model (see frontline.core.inserts): registration is the hot path.
    cadre = getattr(actor, "cadre", None) if actor is not None and actor.pk else None
    if cadre is not None:
        problem.cadre_id = cadre.pk
        insert_instance(problem)
    else:  # the post's deployed cadre, chosen by the INSERT itself: no extra round trip
        subquery, active = _deployed_cadre_sql()
        insert_instance(problem, expressions={"cadre_id": (subquery, [post.pk, active])}, returning=["cadre_id"])
    event = ProblemEvent(
        problem=problem,
        action=Action.REGISTER,
        actor=problem.created_by,
        actor_name=str(actor) if actor is not None and actor.pk else "群众/企业",
        to_status=problem.status,
        note="",
        public=True,
        created_at=now,
    )
    insert_instance(event)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=problem,
        changes={
            "status": (None, problem.status),
            "post": (None, post.name),
            "category": (None, data.category.name),
            "source": (None, problem.source),
            "handover_due": (None, problem.handover_due),
        },
        actor_name="" if actor else "public",
    )
    tally_move(before=None, after=tally_key(problem))
    return problem


@transaction.atomic
def problem_plan_update(*, actor: User, problem: Problem, solution_plan: str, expected_version: int) -> Problem:
    """Write the solution plan (一个难题、一套方案); refused on a stale version or a closed problem."""
    from frontline.ledger.workflow import is_department_member, is_registrar

    locked = (
        Problem.objects.select_for_update(of=("self",)).select_related("post_unit", "department").get(pk=problem.pk)
    )
    if locked.version != expected_version:
        raise ConflictError(_("该问题已被他人修改，请刷新后再保存。"), current_version=locked.version)
    if not (is_registrar(actor, locked) or is_department_member(actor, locked)):
        raise ApplicationError(_("只有登记人、层级责任人、督办人员或承办部门可以修改解决方案。"), code="forbidden")
    if locked.status == S.CLOSED:
        raise ApplicationError(_("问题已关闭，不能再修改解决方案。"), code="closed")
    plan = solution_plan.strip()
    if len(plan) > MAX_DESCRIPTION:
        raise ProblemValidationError({"solution_plan": _("解决方案不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}})
    before = locked.solution_plan
    locked.solution_plan = plan
    locked.version += 1
    locked.save(update_fields=["solution_plan", "version", "updated_at"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=locked, changes={"solution_plan": (before, plan)})
    return locked


# --- Visits ----------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
_PHOTO_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp"}


def validate_photo(photo: "UploadedFile[bytes]") -> None:
    """Accept JPEG, PNG or WebP up to 5 MB, judged by content, not by the file name."""
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise ProblemValidationError({"photo": _("照片不能超过 5 MB，请压缩后再上传。")})
    head = photo.read(12)
    photo.seek(0)
    if not any(head.startswith(sig) for sig in _PHOTO_SIGNATURES) or (
        head.startswith(b"RIFF") and head[8:12] != b"WEBP"
    ):
        raise ProblemValidationError({"photo": _("照片只能是 JPG、PNG 或 WebP 图片。")})


@transaction.atomic
def visit_create(
    *,
    actor: User,
    post: Post,
    visited_at: datetime | None = None,
    whom: str = "",
    findings: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    photo: "UploadedFile[bytes] | None" = None,
    problems: list[ProblemData] | None = None,
) -> Visit:
    """Record a visit and the problems raised during it; only the post is required."""
    errors: dict[str, str] = {}
    if visited_at is not None and visited_at > timezone.now() + timedelta(minutes=5):
        errors["visited_at"] = _("走访时间不能晚于现在。")
    if len(whom) > 100:
        errors["whom"] = _("走访对象不能超过 100 个字符。")
    if len(findings) > MAX_DESCRIPTION:
        errors["findings"] = _("了解情况不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("纬度应在 -90 到 90 之间。")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("经度应在 -180 到 180 之间。")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("位置需同时有经度和纬度，或都不填。")
    if errors:
        raise ProblemValidationError(errors)
    if photo is not None:
        validate_photo(photo)
    visit = Visit(
        cadre_user=actor,
        post=post,
        visited_at=visited_at or timezone.now(),
        whom=whom.strip(),
        findings=findings.strip(),
        latitude=latitude,
        longitude=longitude,
    )
    if photo is not None:
        visit.photo.save(photo.name or "photo", photo, save=False)
    visit.save()
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        changes={"post": (None, post.name), "whom": (None, visit.whom)},
    )
    for data in problems or []:
        data.visit = visit
        data.source = ProblemSource.VISIT
        problem_create(actor=actor, data=data)
    return visit


# --- Public intake and ratings ---------------------------------------------------------------


def public_intake_limit() -> tuple[int, int]:
    """Return (submissions allowed, per this many seconds) for one client address."""
    return (
        int(getattr(settings, "FRONTLINE_PUBLIC_INTAKE_MAX", 10)),
        int(getattr(settings, "FRONTLINE_PUBLIC_INTAKE_WINDOW_SECONDS", 3600)),
    )


def public_intake_prune() -> int:
    """Delete rate-limit records older than the window; return how many were deleted."""
    _limit, window = public_intake_limit()
    deleted, _ = IntakeAttempt.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=window)).delete()
    return deleted


def public_intake_check(*, client_ip: str | None) -> None:
    """Count an attempt from this address; refuse it (code "rate_limited") past the limit."""
    limit, window = public_intake_limit()
    client_hash = crypto.keyed_hash(f"ip:{client_ip or 'unknown'}")
    since = timezone.now() - timedelta(seconds=window)
    recent = IntakeAttempt.objects.filter(client_hash=client_hash, created_at__gte=since).count()
    if recent >= limit:
        raise ApplicationError(_("提交过于频繁，请稍后再试。"), code="rate_limited")
    IntakeAttempt.objects.create(client_hash=client_hash)


def public_request_create(
    *, post: Post, data: ProblemData, client_ip: str | None, idempotency_key: str = ""
) -> tuple[Problem, bool]:
    """Register a request submitted on a post's public page (no account); rate-limited per address."""
    public_intake_check(client_ip=client_ip)
    data.post = post
    data.source = ProblemSource.PUBLIC
    data.visit = None
    data.solution_plan = ""
    return problem_create(actor=None, data=data, idempotency_key=idempotency_key)


def public_problem(code: str) -> Problem:
    """Return the problem with this tracking code, or raise ApplicationError(code="not_found")."""
    code = (code or "").strip().upper()
    problem = (
        Problem.objects.select_related("post", "category").filter(tracking_code=code).first()
        if len(code) <= 12
        else None
    )
    if problem is None:
        raise ApplicationError(_("查询码不存在，请核对后重试。"), code="not_found")
    return problem


@transaction.atomic
def rating_submit(*, code: str, score: int, comment: str = "") -> Rating:
    """Record the requester's one rating of a resolved problem; close it or reopen it (督办).

    A score of 4 or 5 counts as satisfied.
    """
    problem = public_problem(code)
    if not 1 <= score <= 5:
        raise ProblemValidationError({"score": _("评分应为 1 到 5 星。")})
    if len(comment) > 500:
        raise ProblemValidationError({"comment": _("意见不能超过 500 个字符。")})
    if Rating.objects.filter(problem=problem).exists():
        raise ApplicationError(_("该问题已评价过，每个问题只能评价一次。"), code="already_rated")
    if problem.status != S.RESOLVED:
        raise ApplicationError(_("问题办结后才能评价。"), code="not_resolved")
    satisfied = score >= 4
    try:
        with transaction.atomic():
            rating = Rating.objects.create(problem=problem, score=score, satisfied=satisfied, comment=comment.strip())
    except IntegrityError:
        raise ApplicationError(_("该问题已评价过，每个问题只能评价一次。"), code="already_rated") from None
    note = f"诉求人评价 {score} 星" + (f"：{comment.strip()}" if comment.strip() else "")
    problem_transition(
        actor=None,
        problem=problem,
        action=Action.CONFIRM if satisfied else Action.REOPEN,
        expected_version=problem.version,
        as_requester=True,
        note=note,
    )
    return rating


def problem_phone(*, actor: User, problem: Problem) -> str:
    """Return the requester's full phone for a role that may see it; audit the view."""
    from frontline.core.access import access_for

    if not access_for(actor).can_view_sensitive and actor.pk != problem.created_by_id:
        raise ApplicationError(_("您的角色无权查看完整手机号。"), code="forbidden")
    audit(actor=actor, action=AuditAction.VIEW_SENSITIVE, obj=problem, note="requester_phone")
    return crypto.decrypt(problem.requester_phone_encrypted)


# --- The three lists and matchmaking ---------------------------------------------------------


@transaction.atomic
def list_item_create(
    *,
    actor: User,
    kind: str,
    post: Post,
    title: str,
    description: str = "",
    quantity: str = "",
    holder: str = "",
) -> ListItem:
    """Add a need, resource or project to a post's lists."""
    errors: dict[str, str] = {}
    if kind not in ListKind.values:
        errors["kind"] = _("清单类型无效：应为需求、资源或项目。")
    title = title.strip()
    if not title:
        errors["title"] = _("请填写名称。")
    elif len(title) > 100:
        errors["title"] = _("名称不能超过 100 个字符。")
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("说明不能超过 %(n)s 个字符。") % {"n": MAX_DESCRIPTION}
    if len(quantity) > 100 or len(holder) > 100:
        errors["quantity"] = _("数量和提供方均不能超过 100 个字符。")
    if errors:
        raise ProblemValidationError(errors)
    item = ListItem.objects.create(
        kind=kind,
        post=post,
        title=title,
        description=description.strip(),
        quantity=quantity.strip(),
        holder=holder.strip(),
        created_by=actor,
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=item, changes={"kind": (None, kind), "title": (None, title)})
    return item


@transaction.atomic
def matchmaking_record(*, actor: User, need: ListItem, resource: ListItem, reason: str = "") -> Matchmaking:
    """Record that a need was connected with a resource; both become "matched"."""
    if need.kind != ListKind.NEED or resource.kind != ListKind.RESOURCE:
        raise ApplicationError(_("只能把需求与资源对接。"), code="invalid")
    if Matchmaking.objects.filter(need=need, resource=resource).exists():
        raise ApplicationError(_("这对需求和资源已经对接过。"), code="duplicate")
    match = Matchmaking.objects.create(need=need, resource=resource, reason=reason.strip()[:300], created_by=actor)
    ListItem.objects.filter(pk__in=[need.pk, resource.pk], status=ListItemStatus.OPEN).update(
        status=ListItemStatus.MATCHED
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=match, changes={"need": (None, need.title)})
    return match


@transaction.atomic
def matchmaking_outcome(
    *, actor: User, match: Matchmaking, status: str, outcome: str = "", amount: Any = None
) -> Matchmaking:
    """Record the outcome of a matchmaking (signed orders, amount in 10k yuan, or failure)."""
    if status not in MatchmakingStatus.values:
        raise ProblemValidationError({"status": _("状态无效。")})
    value = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise ProblemValidationError({"amount": _("金额应为数字（万元）。")}) from None
        if value < 0:
            raise ProblemValidationError({"amount": _("金额不能为负数。")})
    locked = Matchmaking.objects.select_for_update().get(pk=match.pk)
    before = (locked.status, locked.outcome, locked.amount)
    locked.status, locked.outcome, locked.amount = status, outcome.strip()[:300], value
    locked.save()
    if status == MatchmakingStatus.SIGNED:
        ListItem.objects.filter(pk=locked.need_id).update(status=ListItemStatus.DONE)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": (before[0], status), "outcome": (before[1], locked.outcome), "amount": (before[2], value)},
    )
    return locked
