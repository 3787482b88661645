"""API for visits, problems and their workflow, and the public intake and tracking endpoints."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import HeaderEx, P
from ninja.responses import Status

from frontline.core.errors import ApplicationError
from frontline.core.middleware import client_ip
from frontline.core.models import User
from frontline.ledger import attachments, plans, selectors, services
from frontline.ledger.models import (
    EnterprisePlan,
    ListKind,
    Matchmaking,
    PlanMeasure,
    Problem,
    ProblemAttachment,
    ProblemCategory,
    ProblemEvent,
    Rating,
)
from frontline.ledger.similar import problem_text, similar_problems
from frontline.ledger.workflow import ACTION_LABELS, Action, problem_transition
from frontline.org.models import Unit
from frontline.posts.models import Post

router = Router(tags=["ledger"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, str] | None = None
    current_version: int | None = None


def _error(status: int, exc: ApplicationError) -> Status[dict[str, Any]]:
    return Status(status, {"detail": exc.message, "code": exc.code, **exc.extra})


# --- Problems --------------------------------------------------------------------------------


class ProblemOut(Schema):
    id: int
    tracking_code: str
    title: str
    description: str
    solution_plan: str
    resolution: str
    source: str
    requester_kind: str
    requester_name: str
    requester_phone_masked: str
    post_id: int
    post_name: str = Field(..., alias="post.name")
    region_id: str
    category_id: int
    category_name: str = Field(..., alias="category.name")
    status: str
    department_id: int | None
    level: int
    owner_id: int | None
    handover_due: date | None
    feedback_due: date | None
    resolve_due: date | None
    deadline_unconfirmed: bool
    is_overdue: bool
    send_back_count: int
    reopen_count: int
    closed_without_confirmation: bool
    close_reason: str
    version: int
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class ProblemIn(Schema):
    post_id: int
    category_id: int
    description: str = Field(..., max_length=5000)
    title: str = Field("", max_length=100)
    source: str = "visit"
    requester_kind: str = "resident"
    requester_name: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=20)
    solution_plan: str = Field("", max_length=5000)


class EventOut(Schema):
    action: str
    actor_name: str
    from_status: str
    to_status: str
    note: str
    department_id: int | None
    public: bool
    created_at: datetime


@router.get("/problems", response=list[ProblemOut])
@paginate(LimitOffsetPagination)
def problems(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    category: int | None = None,
    department: int | None = None,
    post: int | None = None,
    source: str = "",
    overdue: bool = False,
    sent_back: bool = False,
    open_only: bool = False,
) -> Any:
    """List the problems within your scope (by post unit or handling department), newest first."""
    filters = selectors.ProblemFilters(
        q=q.strip(),
        status=status,
        category_id=category,
        department_id=department,
        post_id=post,
        source=source,
        overdue=overdue,
        sent_back=sent_back,
        open_only=open_only,
    )
    return selectors.problem_list(user=_user(request), filters=filters)


@router.post("/problems", response={200: ProblemOut, 201: ProblemOut, 400: ErrorOut, 404: ErrorOut})
def problem_create(
    request: HttpRequest, payload: ProblemIn, idempotency_key: HeaderEx[str, P(alias="Idempotency-Key")] = ""
) -> Status[Any]:
    """Register a problem. Send an `Idempotency-Key` header: a retry with the same key returns the
    problem the first request created (200) instead of creating another (201)."""
    user = _user(request)
    post = selectors.get_postable_post(user=user, pk=payload.post_id)
    category = services.category_for(payload.category_id)
    data = services.ProblemData(
        post=post,
        category=category,
        description=payload.description,
        title=payload.title,
        source=payload.source,
        requester_kind=payload.requester_kind,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
        solution_plan=payload.solution_plan,
    )
    problem, created = services.problem_create(actor=user, data=data, idempotency_key=idempotency_key)
    return Status(201 if created else 200, problem)


@router.get("/problems/{problem_id}", response=ProblemOut)
def problem(request: HttpRequest, problem_id: int, response: HttpResponse) -> Problem:
    """Return one problem; the `ETag` header carries its version for `If-Match`."""
    found = selectors.get_problem_for_user(user=_user(request), pk=problem_id)
    response["ETag"] = f'"{found.version}"'
    return found


class PlanIn(Schema):
    solution_plan: str = Field(..., max_length=5000)


@router.put("/problems/{problem_id}/plan", response={200: ProblemOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def problem_plan(
    request: HttpRequest,
    problem_id: int,
    payload: PlanIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Write the solution plan (一个难题、一套方案); send the version in `If-Match`."""
    user = _user(request)
    found = selectors.get_problem_for_user(user=user, pk=problem_id)
    updated = services.problem_plan_update(
        actor=user, problem=found, solution_plan=payload.solution_plan, expected_version=_version(if_match, None)
    )
    response["ETag"] = f'"{updated.version}"'
    return Status(200, selectors.get_problem_for_user(user=user, pk=updated.pk))


@router.get("/problems/{problem_id}/events", response=list[EventOut])
def problem_events(request: HttpRequest, problem_id: int) -> Any:
    """Return the problem's full timeline, oldest first."""
    found = selectors.get_problem_for_user(user=_user(request), pk=problem_id)
    return ProblemEvent.objects.filter(problem=found)


class SimilarOut(Schema):
    id: int
    tracking_code: str
    title: str
    post_name: str
    category_name: str
    solution_plan: str
    resolution: str
    score: float


@router.get("/problems/{problem_id}/similar", response=list[SimilarOut])
def problem_similar(request: HttpRequest, problem_id: int, k: int = 5) -> list[dict[str, Any]]:
    """Return the resolved problems most similar to this one, among those you may see (BM25 over
    segmented text, insensitive to Traditional/Simplified characters)."""
    user = _user(request)
    found = selectors.get_problem_for_user(user=user, pk=problem_id)
    cases = similar_problems(user=user, text=problem_text(found), exclude_pk=found.pk, k=min(max(k, 1), 20))
    return [
        {
            "id": c.problem.pk,
            "tracking_code": c.problem.tracking_code,
            "title": c.problem.title,
            "post_name": c.problem.post.name,
            "category_name": c.problem.category.name,
            "solution_plan": c.problem.solution_plan,
            "resolution": c.problem.resolution,
            "score": round(c.score, 4),
        }
        for c in cases
    ]


class TransitionIn(Schema):
    action: Literal[
        "hand_over", "accept", "send_back", "update", "resolve", "confirm", "reopen", "close_unconfirmed", "escalate"
    ]
    note: str = Field("", max_length=2000, description="reason for send_back, reopen, close_unconfirmed; progress")
    resolution: str = Field("", max_length=5000, description="for resolve")
    department_id: int | None = Field(None, description="for hand_over: a functional department")
    public: bool = Field(False, description="for update: show the note on the public tracking page")
    version: int | None = Field(None, description="the version you saw, if no If-Match header is sent")


def _version(if_match: str, body_version: int | None) -> int:
    raw = (if_match or "").strip().removeprefix("W/").strip('"')
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ApplicationError(_('If-Match 应为问题的版本号，如 "3"。'), code="invalid_if_match") from None
    if body_version is not None:
        return body_version
    raise ApplicationError(
        _("请在 If-Match 头中提供问题的版本号（见 ETag 或 version 字段）。"), code="version_required"
    )


@router.post(
    "/problems/{problem_id}/transitions", response={200: ProblemOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut}
)
def problem_transition_endpoint(
    request: HttpRequest,
    problem_id: int,
    payload: TransitionIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Perform a workflow action. Send the version you saw in `If-Match`; a stale one gets 409 with
    `current_version`, an illegal action 400 with a message, an action you may not take 403."""
    user = _user(request)
    found = selectors.get_problem_for_user(user=user, pk=problem_id)
    department = None
    if payload.department_id is not None:
        department = Unit.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise ApplicationError(_("承办部门不存在。"), code="department_not_found")
    updated = problem_transition(
        actor=user,
        problem=found,
        action=payload.action,
        expected_version=_version(if_match, payload.version),
        note=payload.note,
        resolution=payload.resolution,
        department=department,
        public=payload.public,
    )
    response["ETag"] = f'"{updated.version}"'
    return Status(200, selectors.get_problem_for_user(user=user, pk=updated.pk))


# --- Visits ----------------------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    cadre_user_id: int
    post_id: int
    post_name: str = Field(..., alias="post.name")
    visited_at: datetime
    whom: str
    findings: str
    latitude: float | None
    longitude: float | None
    problem_ids: list[int] = []


class VisitProblemIn(Schema):
    category_id: int
    description: str = Field(..., max_length=5000)
    requester_kind: str = "resident"
    requester_name: str = Field("", max_length=100)


class VisitIn(Schema):
    post_id: int
    visited_at: datetime | None = None
    whom: str = Field("", max_length=100)
    findings: str = Field("", max_length=5000)
    latitude: float | None = None
    longitude: float | None = None
    problems: list[VisitProblemIn] = Field(default_factory=list, max_length=20)


@router.get("/visits", response=list[VisitOut])
@paginate(LimitOffsetPagination)
def visits(request: HttpRequest, post: int | None = None, mine: bool = False) -> Any:
    """List the visits you may see: your own and those at posts in your scope."""
    user = _user(request)
    qs = selectors.visit_list(user=user)
    if post:
        qs = qs.filter(post_id=post)
    if mine:
        qs = qs.filter(cadre_user=user)
    return qs


@router.post("/visits", response={201: VisitOut, 400: ErrorOut})
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[Any]:
    """Record a visit; only `post_id` is required. Problems raised are registered with it."""
    user = _user(request)
    post = selectors.get_postable_post(user=user, pk=payload.post_id)
    raised = [
        services.ProblemData(
            post=post,
            category=get_object_or_404(ProblemCategory, pk=p.category_id),
            description=p.description,
            requester_kind=p.requester_kind,
            requester_name=p.requester_name,
        )
        for p in payload.problems
    ]
    visit = services.visit_create(
        actor=user,
        post=post,
        visited_at=payload.visited_at,
        whom=payload.whom,
        findings=payload.findings,
        latitude=payload.latitude,
        longitude=payload.longitude,
        problems=raised,
    )
    visit.problem_ids = list(visit.problems.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return Status(201, visit)


# --- Public intake (no account) --------------------------------------------------------------


class PublicRequestIn(Schema):
    category_id: int
    description: str = Field(..., min_length=1, max_length=2000)
    requester_kind: Literal["resident", "enterprise"] = "resident"
    requester_name: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=20)


class PublicEventOut(Schema):
    action: str
    label: str
    note: str
    created_at: datetime


class PublicStatusOut(Schema):
    tracking_code: str
    post_name: str
    category: str
    status: str
    status_label: str
    created_at: datetime
    events: list[PublicEventOut]
    rated: bool
    can_rate: bool


class RatingIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    score: int
    satisfied: bool
    status: str


def _public_status(problem: Problem) -> dict[str, Any]:
    """Return what the tracking page may show: status and public replies, no personal data."""
    rated = Rating.objects.filter(problem=problem).exists()
    events = [
        {
            "action": e.action,
            "label": str(ACTION_LABELS.get(e.action, e.action)),
            "note": e.note if e.action in (Action.RESOLVE, Action.UPDATE) else "",
            "created_at": e.created_at,
        }
        for e in problem.events.filter(public=True)
    ]
    return {
        "tracking_code": problem.tracking_code,
        "post_name": problem.post.name,
        "category": problem.category.name,
        "status": problem.status,
        "status_label": problem.get_status_display(),
        "created_at": problem.created_at,
        "events": events,
        "rated": rated,
        "can_rate": problem.status == "resolved" and not rated,
    }


@router.post(
    "/public/posts/{post_id}/requests",
    auth=None,
    response={200: PublicStatusOut, 201: PublicStatusOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
)
def public_request_create(
    request: HttpRequest,
    post_id: int,
    payload: PublicRequestIn,
    idempotency_key: HeaderEx[str, P(alias="Idempotency-Key")] = "",
) -> Status[Any]:
    """Submit a request to a post without an account; returns the tracking code. Rate-limited per
    client address (429)."""
    post = get_object_or_404(Post, pk=post_id)
    category = get_object_or_404(ProblemCategory, pk=payload.category_id, is_active=True)
    data = services.ProblemData(
        post=post,
        category=category,
        description=payload.description,
        requester_kind=payload.requester_kind,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
    )
    try:
        problem, created = services.public_request_create(
            post=post, data=data, client_ip=client_ip(request), idempotency_key=idempotency_key
        )
    except ApplicationError as exc:
        if exc.code == "rate_limited":
            return _error(429, exc)
        raise
    return Status(201 if created else 200, _public_status(problem))


@router.get("/public/requests/{code}", auth=None, response={200: PublicStatusOut, 404: ErrorOut})
def public_request_status(request: HttpRequest, code: str) -> Status[Any]:
    """Follow a request by its tracking code: status and public replies only."""
    try:
        problem = services.public_problem(code)
    except ApplicationError as exc:
        return _error(404, exc)
    return Status(200, _public_status(problem))


@router.post(
    "/public/requests/{code}/rating", auth=None, response={201: RatingOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def public_request_rating(request: HttpRequest, code: str, payload: RatingIn) -> Status[Any]:
    """Rate a resolved request once (4–5 stars close it; 1–3 reopen it under supervision)."""
    try:
        rating = services.rating_submit(code=code, score=payload.score, comment=payload.comment)
    except ApplicationError as exc:
        if exc.code == "not_found":
            return _error(404, exc)
        if exc.code == "already_rated":
            return _error(409, exc)
        raise
    status = services.public_problem(code).status
    return Status(201, {"score": rating.score, "satisfied": rating.satisfied, "status": status})


# --- The three lists -------------------------------------------------------------------------

_LIST_KINDS = {"needs": ListKind.NEED, "resources": ListKind.RESOURCE, "projects": ListKind.PROJECT}


class ListItemOut(Schema):
    id: int
    kind: str
    post_id: int
    post_name: str = Field(..., alias="post.name")
    title: str
    description: str
    quantity: str
    holder: str
    status: str
    created_at: datetime


class ListItemIn(Schema):
    post_id: int
    title: str = Field(..., max_length=100)
    description: str = Field("", max_length=5000)
    quantity: str = Field("", max_length=100)
    holder: str = Field("", max_length=100)


class SuggestionOut(Schema):
    resource: ListItemOut
    score: float
    reason: str


class MatchmakingIn(Schema):
    need_id: int
    resource_id: int
    reason: str = Field("", max_length=300)


class MatchmakingOut(Schema):
    id: int
    need_id: int
    resource_id: int
    reason: str
    status: str
    outcome: str
    amount: Decimal | None


class OutcomeIn(Schema):
    status: Literal["proposed", "negotiating", "signed", "failed"]
    outcome: str = Field("", max_length=300)
    amount: Decimal | None = Field(None, ge=0, description="in 10,000 yuan (万元)")


def _kind(kind: str) -> str:
    if kind not in _LIST_KINDS:
        raise Http404
    return _LIST_KINDS[kind]


@router.get("/lists/{kind}", response=list[ListItemOut])
@paginate(LimitOffsetPagination)
def list_items(request: HttpRequest, kind: str, post: int | None = None, status: str = "") -> Any:
    """List needs, resources or projects (`kind`: needs, resources, projects) within your scope."""
    return selectors.list_items(user=_user(request), kind=_kind(kind), post_id=post, status=status)


@router.post("/lists/{kind}", response={201: ListItemOut, 400: ErrorOut})
def list_item_create(request: HttpRequest, kind: str, payload: ListItemIn) -> Status[Any]:
    """Add a need, resource or project to a post's lists."""
    user = _user(request)
    item = services.list_item_create(
        actor=user,
        kind=_kind(kind),
        post=selectors.get_postable_post(user=user, pk=payload.post_id),
        title=payload.title,
        description=payload.description,
        quantity=payload.quantity,
        holder=payload.holder,
    )
    return Status(201, item)


@router.get("/lists/needs/{item_id}/suggestions", response=list[SuggestionOut])
def need_suggestions(request: HttpRequest, item_id: int, k: int = 5) -> Any:
    """Suggest open resources in your scope for a need, with the reason."""
    user = _user(request)
    need = selectors.get_list_item_for_user(user=user, pk=item_id)
    if need.kind != ListKind.NEED:
        raise Http404
    return selectors.suggest_resources(user=user, need=need, k=min(max(k, 1), 20))


@router.post("/matchmakings", response={201: MatchmakingOut, 400: ErrorOut})
def matchmaking_create(request: HttpRequest, payload: MatchmakingIn) -> Status[Any]:
    """Record that a need was connected with a resource (both must be in your scope)."""
    user = _user(request)
    need = selectors.get_list_item_for_user(user=user, pk=payload.need_id)
    resource = selectors.get_list_item_for_user(user=user, pk=payload.resource_id)
    return Status(201, services.matchmaking_record(actor=user, need=need, resource=resource, reason=payload.reason))


@router.post("/matchmakings/{match_id}/outcome", response={200: MatchmakingOut, 400: ErrorOut})
def matchmaking_outcome(request: HttpRequest, match_id: int, payload: OutcomeIn) -> Status[Any]:
    """Record the outcome: orders signed, the amount, or failure."""
    user = _user(request)
    match = get_object_or_404(Matchmaking.objects.filter(need__in=selectors.list_items(user=user)), pk=match_id)
    updated = services.matchmaking_outcome(
        actor=user, match=match, status=payload.status, outcome=payload.outcome, amount=payload.amount
    )
    return Status(200, updated)


# --- Attachments of problems -----------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    problem_id: int
    original_name: str
    content_type: str
    size: int
    public: bool
    uploaded_by_id: int | None
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: ProblemAttachment) -> str:
        return reverse("api:problem_attachment_download", args=[obj.problem_id, obj.pk])


@router.get("/problems/{problem_id}/attachments", response=list[AttachmentOut])
def problem_attachment_list(request: HttpRequest, problem_id: int) -> Any:
    """List a problem's attachments, oldest first."""
    found = selectors.get_problem_for_user(user=_user(request), pk=problem_id)
    return selectors.problem_attachments(problem=found)


@router.post(
    "/problems/{problem_id}/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def problem_attachment_create(
    request: HttpRequest, problem_id: int, file: File[UploadedFile], public: Form[bool] = False
) -> Status[Any]:
    """Attach a file (multipart/form-data: `file`, optional `public`). Allowed, judged by content: JPEG,
    PNG, WebP, PDF, .docx, .xlsx, plain text; size and count limits per settings. A closed problem
    takes none (400); only the registrar, level owner, supervisors and the department may attach (403)."""
    user = _user(request)
    found = selectors.get_problem_for_user(user=user, pk=problem_id)
    attachment = attachments.problem_attachment_add(actor=user, problem=found, upload=file, public=public)
    return Status(201, attachment)


@router.get(
    "/problems/{problem_id}/attachments/{attachment_id}/download",
    url_name="problem_attachment_download",
    response={200: None, 404: ErrorOut},
)
def problem_attachment_download(request: HttpRequest, problem_id: int, attachment_id: int) -> FileResponse:
    """Download the file (`Content-Disposition: attachment`); a non-public one is audited."""
    user = _user(request)
    attachment = selectors.get_attachment_for_user(user=user, problem_pk=problem_id, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    attachments.attachment_download_record(actor=user, attachment=attachment)
    return response


# --- Enterprise plans (一企一策) ---------------------------------------------------------------


class MeasureOut(Schema):
    id: int
    position: int
    text: str
    department_id: int
    department_name: str = Field(..., alias="department.name")
    due_date: date | None
    status: str
    is_overdue: bool
    problem_id: int | None
    done_at: datetime | None
    updated_at: datetime


class PlanProblemOut(Schema):
    id: int
    tracking_code: str
    title: str
    status: str
    is_overdue: bool
    resolve_due: date | None


class EnterprisePlanOut(Schema):
    id: int
    post_id: int
    post_name: str = Field(..., alias="post.name")
    title: str
    summary: str
    version: int
    measure_count: int
    measures_done: int
    measures_overdue: int
    problem_count: int
    open_problems: int
    created_at: datetime
    updated_at: datetime


class EnterprisePlanDetailOut(EnterprisePlanOut):
    measures: list[MeasureOut] = Field(..., alias="measure_rows")
    problems: list[PlanProblemOut] = Field(..., alias="problem_rows", description="in your scope, open first")


class EnterprisePlanIn(Schema):
    post_id: int = Field(..., description="an enterprise post")
    title: str = Field("", max_length=200, description="default: <enterprise>一企一策")
    summary: str = Field("", max_length=5000)


class EnterprisePlanUpdateIn(Schema):
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=5000)
    version: int | None = Field(None, description="the version you saw, if no If-Match header is sent")


MeasureStatusIn = Literal["planned", "doing", "done"]


class MeasureIn(Schema):
    text: str = Field(..., max_length=500)
    department_id: int
    due_date: date | None = None
    status: MeasureStatusIn = "planned"
    problem_id: int | None = Field(None, description="one of the enterprise's problems")
    position: int | None = Field(None, ge=1, description="1-based; default: last")
    version: int | None = Field(None, description="the plan's version, if no If-Match header is sent (optional)")


class MeasurePatchIn(Schema):
    text: str | None = Field(None, max_length=500)
    department_id: int | None = None
    due_date: date | None = None
    status: MeasureStatusIn | None = None
    problem_id: int | None = None
    position: int | None = Field(None, ge=1)
    version: int | None = Field(None, description="the plan's version, if no If-Match header is sent")


PLAN_API_PROBLEMS = 200  # problems listed in a plan's detail; the rest through /problems?post=


def _plan_version(if_match: str, body_version: int | None, *, required: bool) -> int | None:
    raw = (if_match or "").strip().removeprefix("W/").strip('"')
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ApplicationError(_('If-Match 应为一企一策的版本号，如 "3"。'), code="invalid_if_match") from None
    if body_version is None and required:
        raise ApplicationError(
            _("请在 If-Match 头中提供一企一策的版本号（见 ETag 或 version 字段）。"), code="version_required"
        )
    return body_version


def _plan_detail(request: HttpRequest, plan_id: int, response: HttpResponse) -> EnterprisePlan:
    """Return the plan with its measures and problems for the detail schema; set the ETag."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=plan_id)
    plan.measure_rows = list(selectors.plan_measures(plan=plan))  # type: ignore[attr-defined]
    plan.problem_rows = list(selectors.plan_problems(user=user, plan=plan)[:PLAN_API_PROBLEMS])  # type: ignore[attr-defined]
    response["ETag"] = f'"{plan.version}"'
    return plan


def _measure_refs(
    user: User, plan: EnterprisePlan, department_id: int | None, problem_id: int | None
) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    if department_id is not None:
        refs["department"] = Unit.objects.filter(pk=department_id).first()
        if refs["department"] is None:
            raise ApplicationError(_("责任部门不存在。"), code="department_not_found")
    if problem_id is not None:
        refs["problem"] = selectors.plan_problems(user=user, plan=plan).filter(pk=problem_id).first()
        if refs["problem"] is None:
            raise ApplicationError(_("该企业没有这个问题（或不在您的范围内）。"), code="problem_not_found")
    return refs


@router.get("/enterprise-plans", response=list[EnterprisePlanOut])
@paginate(LimitOffsetPagination)
def enterprise_plans(
    request: HttpRequest,
    q: str = "",
    department: int | None = None,
    post: int | None = None,
    overdue_measures: bool = False,
    open_problems: bool = False,
) -> Any:
    """List the enterprise plans (一企一策) within your scope, most recently changed first, with the
    measures' progress and the enterprise's problem counts (within your scope)."""
    filters = selectors.PlanFilters(
        q=q.strip(),
        department_id=department,
        post_id=post,
        overdue_measures=overdue_measures,
        open_problems=open_problems,
    )
    return selectors.enterprise_plan_list(user=_user(request), filters=filters)


@router.post("/enterprise-plans", response={201: EnterprisePlanDetailOut, 400: ErrorOut, 404: ErrorOut})
def enterprise_plan_create(request: HttpRequest, payload: EnterprisePlanIn, response: HttpResponse) -> Status[Any]:
    """Start the plan of an enterprise you may write for (one per enterprise: a second gets 400 `duplicate`)."""
    user = _user(request)
    post = get_object_or_404(selectors.plan_editable_posts(user=user), pk=payload.post_id)
    plan = plans.enterprise_plan_create(actor=user, post=post, title=payload.title, summary=payload.summary)
    return Status(201, _plan_detail(request, plan.pk, response))


@router.get("/enterprise-plans/{plan_id}", response=EnterprisePlanDetailOut)
def enterprise_plan(request: HttpRequest, plan_id: int, response: HttpResponse) -> EnterprisePlan:
    """Return a plan with its measures and the enterprise's problems; `ETag` carries its version."""
    return _plan_detail(request, plan_id, response)


@router.put(
    "/enterprise-plans/{plan_id}",
    response={200: EnterprisePlanDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def enterprise_plan_update(
    request: HttpRequest,
    plan_id: int,
    payload: EnterprisePlanUpdateIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Change the title and summary. Send the version you saw in `If-Match`; a stale one gets 409 with
    `current_version`."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=plan_id)
    version = _plan_version(if_match, payload.version, required=True)
    assert version is not None
    plans.enterprise_plan_update(
        actor=user, plan=plan, title=payload.title, summary=payload.summary, expected_version=version
    )
    return Status(200, _plan_detail(request, plan.pk, response))


@router.post(
    "/enterprise-plans/{plan_id}/measures",
    response={201: MeasureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def plan_measure_create(
    request: HttpRequest,
    plan_id: int,
    payload: MeasureIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Add a measure (appended, or at `position`). `If-Match` is optional here; when sent, a stale
    version gets 409. The response's `ETag` is the plan's new version."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=plan_id)
    refs = _measure_refs(user, plan, payload.department_id, payload.problem_id)
    measure = plans.plan_measure_add(
        actor=user,
        plan=plan,
        data=plans.MeasureData(
            text=payload.text,
            department=refs["department"],
            due_date=payload.due_date,
            status=payload.status,
            problem=refs.get("problem"),
            position=payload.position,
        ),
        expected_version=_plan_version(if_match, payload.version, required=False),
    )
    response["ETag"] = f'"{EnterprisePlan.objects.values_list("version", flat=True).get(pk=plan.pk)}"'
    return Status(201, PlanMeasure.objects.select_related("department").get(pk=measure.pk))


@router.patch(
    "/enterprise-plans/{plan_id}/measures/{measure_id}",
    response={200: MeasureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def plan_measure_update(
    request: HttpRequest,
    plan_id: int,
    measure_id: int,
    payload: MeasurePatchIn,
    response: HttpResponse,
    if_match: HeaderEx[str, P(alias="If-Match")] = "",
) -> Status[Any]:
    """Change the fields you send (`due_date` or `problem_id` null clears them). The responsible
    department may change only `status`. Send the plan's version in `If-Match` (stale: 409)."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=plan_id)
    measure = get_object_or_404(PlanMeasure, plan=plan, pk=measure_id)
    version = _plan_version(if_match, payload.version, required=True)
    assert version is not None
    sent = payload.model_dump(exclude_unset=True)
    sent.pop("version", None)
    if sent.get("status") is None:
        sent.pop("status", None)
    if "text" in sent and sent["text"] is None:
        sent.pop("text")
    if sent.get("department_id") is None:
        sent.pop("department_id", None)
    refs = _measure_refs(user, plan, sent.pop("department_id", None), sent.pop("problem_id", None))
    if "problem_id" in payload.model_fields_set and payload.problem_id is None:
        refs["problem"] = None
    fields = {k: v for k, v in sent.items() if k in ("text", "due_date", "status", "position")} | refs
    plans.plan_measure_update(actor=user, plan=plan, measure=measure, expected_version=version, **fields)
    response["ETag"] = f'"{EnterprisePlan.objects.values_list("version", flat=True).get(pk=plan.pk)}"'
    return Status(200, PlanMeasure.objects.select_related("department").get(pk=measure.pk))
