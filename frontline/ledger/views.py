"""Pages for the ledger: my post, problems, the department inbox, the supervisor board, the
holiday calendar, and the public intake and tracking pages (no login)."""

import uuid
from datetime import date

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.middleware import client_ip
from frontline.core.models import AuditAction, User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.ledger import attachments, plans, selectors, services
from frontline.ledger import holidays as calendar_services
from frontline.ledger.export import plans_xlsx, problems_xlsx
from frontline.ledger.forms import (
    AttachmentForm,
    HolidayForm,
    ListItemForm,
    MatchOutcomeForm,
    MeasureForm,
    MeasureStatusForm,
    PlanCreateForm,
    PlanFilterForm,
    PlanForm,
    ProblemFilterForm,
    ProblemForm,
    PublicRequestForm,
    RatingForm,
    TransitionForm,
    VisitForm,
    YearConfirmForm,
)
from frontline.ledger.models import (
    EnterprisePlan,
    Holiday,
    ListKind,
    Matchmaking,
    MeasureStatus,
    Notification,
    PlanMeasure,
    Problem,
    ProblemAttachment,
    ProblemEvent,
    ProblemSource,
    Rating,
    YearSchedule,
)
from frontline.ledger.similar import problem_text, similar_problems
from frontline.ledger.workflow import (
    ACTION_LABELS,
    Action,
    allowed_actions,
    is_department_member,
    is_registrar,
    problem_transition,
)
from frontline.org.models import Unit, UnitKind
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import get_post_for_user


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _calendar_warning(user: User) -> list[int]:
    """Return the unconfirmed years an administrator should be warned about."""
    if not access_for(user).can_admin_org:
        return []
    return calendar_services.unconfirmed_years_ahead(today=timezone.localdate())


# Timeline rows that are not workflow actions.
EVENT_LABELS = {**ACTION_LABELS, attachments.ATTACHMENT_EVENT: _lazy("上传附件")}


def _labelled(events: "QuerySet[ProblemEvent]") -> list[ProblemEvent]:
    """Return the events with `label`, the action's name in the user's language."""
    rows = list(events)
    for event in rows:
        event.label = str(EVENT_LABELS.get(event.action, event.action))  # type: ignore[attr-defined]
    return rows


def _form_errors_to_messages(request: HttpRequest, form: Form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))


# --- My post ---------------------------------------------------------------------------------


@login_required
def my_post_view(request: HttpRequest) -> HttpResponse:
    """The deployed cadre's page: open items with due dates, and the two short forms."""
    user = _user(request)
    problems = list(selectors.my_open_problems(user=user)[:50])
    visits = list(selectors.visit_list(user=user).filter(cadre_user=user)[:10])
    context = {
        "posts": list(selectors.my_posts(user=user)[:20]),
        "problems": problems,
        "visits": visits,
        "notifications": list(selectors.unread_notifications(user=user)[:10]),
        "today": timezone.localdate(),
        "calendar_warning": _calendar_warning(user),
    }
    return render(request, "ledger/my_post.html", context)


# --- Problems --------------------------------------------------------------------------------


def _filters(form: ProblemFilterForm) -> selectors.ProblemFilters:
    if not form.is_valid():
        return selectors.ProblemFilters()
    d = form.cleaned_data
    return selectors.ProblemFilters(
        q=d["q"].strip(),
        status=d["status"],
        category_id=d["category"].pk if d["category"] else None,
        source=d["source"],
        overdue=d["overdue"],
        sent_back=d["sent_back"],
        unconfirmed_close=d["unconfirmed_close"],
        created_from=d["created_from"],
        created_to=d["created_to"],
        post_id=d["post"],
    )


@login_required
def problem_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProblemFilterForm(request.GET or None)
    page = paginate(request, selectors.problem_list(user=user, filters=_filters(form)))
    context = {
        "page": page,
        "form": form,
        "qs": querystring_without_page(request),
        "calendar_warning": _calendar_warning(user),
    }
    return render(request, "ledger/problem_list.html", context)


@login_required
def problem_export_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access_for(user).can_export:
        raise PermissionDenied
    form = ProblemFilterForm(request.GET or None)
    rows = selectors.problem_list(user=user, filters=_filters(form))[:100_000]
    content = problems_xlsx(rows.iterator(chunk_size=2000))
    audit(actor=user, action=AuditAction.EXPORT, object_type="ledger.problem", note=request.GET.urlencode()[:500])
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="problems-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def problem_create_view(request: HttpRequest) -> HttpResponse:
    """The short form: a problem in seconds."""
    user = _user(request)
    posts = selectors.postable_posts(user=user)
    form = ProblemForm(
        request.POST or None,
        request.FILES or None,
        posts=posts,
        categories=selectors.active_categories(),
        initial={"idempotency_key": uuid.uuid4().hex, "post": request.GET.get("post")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ProblemData(
            post=d["post"],
            category=d["category"],
            description=d["description"],
            requester_kind=d["requester_kind"],
            requester_name=d["requester_name"],
            requester_phone=d["requester_phone"],
            source=d["source"],
            solution_plan=d["solution_plan"],
        )
        try:
            problem, created = services.problem_create(actor=user, data=data, idempotency_key=d["idempotency_key"])
        except services.ProblemValidationError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            if created:
                messages.success(request, _("已登记，查询码 %(code)s。") % {"code": problem.tracking_code})
                _attach_all(request, user, problem, d["attachments"])
            return redirect(problem)
    return render(request, "ledger/problem_form.html", {"form": form})


def _attach_all(request: HttpRequest, user: User, problem: Problem, files: list[attachments.CheckedFile]) -> None:
    """Attach the files checked by the registration form to the problem it just created."""
    for checked in files:
        try:
            attachments.problem_attachment_add(actor=user, problem=problem, upload=checked)
        except ApplicationError as exc:
            messages.error(request, exc.message)


@login_required
def problem_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    problem = selectors.get_problem_for_user(user=user, pk=pk)
    events = _labelled(ProblemEvent.objects.filter(problem=problem).select_related("department"))
    actions = allowed_actions(user, problem)
    context = {
        "can_edit_plan": problem.is_open and (is_registrar(user, problem) or is_department_member(user, problem)),
        "problem": problem,
        "events": events,
        "actions": [(a, ACTION_LABELS[a]) for a in actions if a != Action.ESCALATE],
        "departments": selectors.departments_for(problem.post) if Action.HAND_OVER in actions else [],
        "rating": Rating.objects.filter(problem=problem).first(),
        "similar": similar_problems(user=user, text=problem_text(problem), exclude_pk=problem.pk, k=5),
        "tracking_url": request.build_absolute_uri(reverse("ledger:track", args=[problem.tracking_code])),
        "attachments": selectors.problem_attachments(problem=problem),
        "attachment_form": AttachmentForm() if problem.is_open and attachments.may_attach(user, problem) else None,
        "has_plan": problem.post.kind == PostKind.ENTERPRISE,
    }
    return render(request, "ledger/problem_detail.html", context)


@login_required
@require_POST
def problem_attachment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file from the problem page (optional: a problem never needs one)."""
    user = _user(request)
    problem = selectors.get_problem_for_user(user=user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(problem)
    try:
        attachment = attachments.problem_attachment_add(
            actor=user, problem=problem, upload=form.cleaned_data["file"], public=form.cleaned_data["public"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件 %(name)s 已上传。") % {"name": attachment.original_name})
    return redirect(problem)


def _file_response(attachment: ProblemAttachment) -> FileResponse:
    """Stream the stored file as a download under its safe name; never rendered inline."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """Download an attachment of a problem in scope (else 404); a non-public one is audited."""
    user = _user(request)
    attachment = selectors.get_attachment_for_user(user=user, problem_pk=pk, pk=attachment_pk)
    response = _file_response(attachment)
    attachments.attachment_download_record(actor=user, attachment=attachment)
    return response


@login_required
@require_POST
def problem_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    problem = selectors.get_problem_for_user(user=user, pk=pk)
    form = TransitionForm(request.POST, departments=selectors.departments_for(problem.post))
    if not form.is_valid():
        messages.error(request, _("提交的内容无效，请检查后重试。"))
        return redirect(problem)
    d = form.cleaned_data
    try:
        problem_transition(
            actor=user,
            problem=problem,
            action=d["action"],
            expected_version=d["version"],
            note=d["note"],
            resolution=d["resolution"],
            department=d["department"],
            public=d["public"],
        )
    except ConflictError as exc:
        messages.warning(request, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s。") % {"action": ACTION_LABELS.get(d["action"], d["action"])})
    next_url = request.POST.get("next", "")
    if next_url == "inbox":
        return redirect("ledger:inbox")
    return redirect(problem)


@login_required
@require_POST
def problem_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the solution plan (一个难题、一套方案)."""
    user = _user(request)
    problem = selectors.get_problem_for_user(user=user, pk=pk)
    try:
        services.problem_plan_update(
            actor=user,
            problem=problem,
            solution_plan=request.POST.get("solution_plan", ""),
            expected_version=int(request.POST.get("version", "0") or 0),
        )
    except ConflictError as exc:
        messages.warning(request, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("解决方案已保存。"))
    return redirect(problem)


# --- Visits ----------------------------------------------------------------------------------


@login_required
def visit_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        posts=selectors.postable_posts(user=user),
        categories=selectors.active_categories(),
        initial={"post": request.GET.get("post")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        raised = []
        if d["problem_description"]:
            raised.append(
                services.ProblemData(
                    post=d["post"], category=d["problem_category"], description=d["problem_description"]
                )
            )
        try:
            services.visit_create(
                actor=user,
                post=d["post"],
                visited_at=d["visited_at"],
                whom=d["whom"],
                findings=d["findings"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                photo=d["photo"],
                problems=raised,
            )
        except services.ProblemValidationError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("走访已记录。"))
            return redirect("ledger:my_post")
    return render(request, "ledger/visit_form.html", {"form": form})


# --- Inbox and board -------------------------------------------------------------------------


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    """The department's inbox: problems to accept, send back, update and resolve."""
    user = _user(request)
    page = paginate(request, selectors.department_inbox(user=user))
    return render(request, "ledger/inbox.html", {"page": page, "qs": querystring_without_page(request)})


BOARD_ROWS = 20  # per section; the tiles link to the full, filtered list


@login_required
def board_view(request: HttpRequest) -> HttpResponse:
    """The supervisor's board: overdue, sent-back and reopened items in scope."""
    user = _user(request)
    board = selectors.supervisor_board(user=user, limit=BOARD_ROWS)
    context = {
        "figures": selectors.problem_figures(user=user),
        "overdue": list(board["overdue"]),
        "sent_back": list(board["sent_back"]),
        "supervised": list(board["supervised"]),
        "calendar_warning": _calendar_warning(user),
    }
    return render(request, "ledger/board.html", context)


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        selectors.unread_notifications(user=user).update(read_at=timezone.now())
        return redirect("ledger:notifications")
    page = paginate(request, Notification.objects.filter(user=user).select_related("problem"))
    return render(request, "ledger/notifications.html", {"page": page, "qs": ""})


# --- Holiday calendar (administrators) --------------------------------------------------------


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not access_for(user).can_admin_org:
        raise Http404
    return user


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    _admin(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    context = {
        "year": year,
        "years": list(range(today.year - 1, today.year + 3)),
        "days": Holiday.objects.filter(year=year),
        "schedule": YearSchedule.objects.filter(year=year).first(),
        "form": HolidayForm(initial={"date": date(year, 1, 1)}),
        "confirm_form": YearConfirmForm(initial={"year": year}),
        "calendar_warning": calendar_services.unconfirmed_years_ahead(today=today),
    }
    return render(request, "ledger/calendar.html", context)


@login_required
@require_POST
def calendar_set_view(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = HolidayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("日期或类型无效。"))
        return redirect("ledger:calendar")
    d = form.cleaned_data
    try:
        calendar_services.holiday_set(actor=user, day=d["date"], kind=d["kind"], name=d["name"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存 %(day)s。") % {"day": d["date"]})
    return redirect(f"{reverse('ledger:calendar')}?year={d['date'].year}")


@login_required
@require_POST
def calendar_delete_view(request: HttpRequest, day: str) -> HttpResponse:
    user = _admin(request)
    try:
        parsed = date.fromisoformat(day)
        calendar_services.holiday_delete(actor=user, day=parsed)
    except ValueError:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:calendar")
    messages.success(request, _("已删除 %(day)s。") % {"day": day})
    return redirect(f"{reverse('ledger:calendar')}?year={parsed.year}")


@login_required
@require_POST
def calendar_confirm_view(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = YearConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("年份无效。"))
        return redirect("ledger:calendar")
    d = form.cleaned_data
    try:
        _schedule, changed = calendar_services.year_schedule_confirm(actor=user, year=d["year"], note=d["note"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(year)s 年放假安排已确认，重新计算了 %(n)s 个问题的期限。") % {"year": d["year"], "n": changed}
        )
    return redirect(f"{reverse('ledger:calendar')}?year={d['year']}")


# --- The three lists ------------------------------------------------------------------------


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    """A post's or the whole scope's needs, resources and projects, with a form to add one."""
    user = _user(request)
    kind = request.GET.get("kind", ListKind.NEED)
    kind = kind if kind in ListKind.values else ListKind.NEED
    post_id = request.GET.get("post", "")
    posts = selectors.postable_posts(user=user)
    form = ListItemForm(request.POST or None, posts=posts, initial={"kind": kind, "post": post_id or None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.list_item_create(
                actor=user,
                kind=d["kind"],
                post=d["post"],
                title=d["title"],
                description=d["description"],
                quantity=d["quantity"],
                holder=d["holder"],
            )
        except services.ProblemValidationError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("已加入清单。"))
            return redirect(item)
    items = selectors.list_items(user=user, kind=kind, post_id=int(post_id) if post_id.isdigit() else None)
    context = {
        "kind": kind,
        "kinds": ListKind.choices,
        "page": paginate(request, items),
        "qs": querystring_without_page(request),
        "form": form,
    }
    return render(request, "ledger/lists.html", context)


@login_required
def list_item_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = selectors.get_list_item_for_user(user=user, pk=pk)
    if request.method == "POST":
        resource = selectors.get_list_item_for_user(user=user, pk=int(request.POST.get("resource", "0") or 0))
        try:
            services.matchmaking_record(actor=user, need=item, resource=resource, reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已记录对接。"))
        return redirect(item)
    matches = (item.matches_as_need if item.kind == ListKind.NEED else item.matches_as_resource).select_related(
        "need__post", "resource__post"
    )
    context = {
        "item": item,
        "matches": matches,
        "suggestions": selectors.suggest_resources(user=user, need=item) if item.kind == ListKind.NEED else [],
        "outcome_form": MatchOutcomeForm(),
    }
    return render(request, "ledger/list_item.html", context)


@login_required
@require_POST
def match_outcome_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    match = get_object_or_404(
        Matchmaking.objects.filter(need__in=selectors.list_items(user=user)).select_related("need"), pk=pk
    )
    form = MatchOutcomeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        services.matchmaking_outcome(
            actor=user, match=match, status=d["status"], outcome=d["outcome"], amount=d["amount"]
        )
        messages.success(request, _("已更新对接成效。"))
    else:
        messages.error(request, _("成效信息无效。"))
    return redirect(match.need)


# --- Public pages (no login) -----------------------------------------------------------------


def public_post_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post's public page: an enterprise or resident submits a request and gets a tracking code."""
    post = get_object_or_404(Post, pk=post_id)
    form = PublicRequestForm(
        request.POST or None, categories=selectors.active_categories(), initial={"idempotency_key": uuid.uuid4().hex}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ProblemData(
            post=post,
            category=d["category"],
            description=d["description"],
            requester_kind=d["requester_kind"],
            requester_name=d["requester_name"],
            requester_phone=d["requester_phone"],
            source=ProblemSource.PUBLIC,
        )
        try:
            problem, _created = services.public_request_create(
                post=post, data=data, client_ip=client_ip(request), idempotency_key=d["idempotency_key"]
            )
        except services.ProblemValidationError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 429 if exc.code == "rate_limited" else 400
        else:
            return redirect("ledger:track", code=problem.tracking_code)
    return render(request, "ledger/public_post.html", {"post": post, "form": form}, status=status)


def public_poster_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """A printable poster with the QR code of the post's public page."""
    post = get_object_or_404(Post, pk=post_id)
    url = request.build_absolute_uri(reverse("ledger:public_post", args=[post.pk]))
    qr = segno.make(url, error="m")
    return render(
        request, "ledger/poster.html", {"post": post, "url": url, "qr_data_uri": qr.svg_data_uri(scale=8, border=2)}
    )


def track_view(request: HttpRequest, code: str) -> HttpResponse:
    """The tracking page: status and public replies only, and the rating once resolved."""
    try:
        problem = services.public_problem(code)
    except ApplicationError:
        raise Http404 from None
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(code=code, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("ledger:track", code=problem.tracking_code)
    events = _labelled(problem.events.filter(public=True))
    rating = Rating.objects.filter(problem=problem).first()
    context = {
        "problem": problem,
        "events": events,
        "form": form,
        "rating": rating,
        "labels": ACTION_LABELS,
        "attachments": ProblemAttachment.objects.filter(problem=problem, public=True),
    }
    return render(request, "ledger/track.html", context)


def track_attachment_view(request: HttpRequest, code: str, attachment_pk: int) -> HttpResponseBase:
    """Download an attachment marked public, by the tracking code; any other is 404."""
    try:
        problem = services.public_problem(code)
    except ApplicationError:
        raise Http404 from None
    attachment = get_object_or_404(ProblemAttachment, problem=problem, pk=attachment_pk, public=True)
    return _file_response(attachment)


def track_lookup_view(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip().upper()
    if code:
        return redirect("ledger:track", code=code[:12])
    return render(request, "ledger/track_lookup.html", {})


# --- Enterprise plans (一企一策) ---------------------------------------------------------------


def _plan_departments(user: User) -> "QuerySet[Unit]":
    """Return the functional departments a user filters plans by: those of the user's province."""
    path = access_for(user).unit_path
    units = Unit.objects.filter(kind=UnitKind.FUNCTIONAL_DEPARTMENT)
    if path:
        units = units.filter(path__startswith="/".join(path.split("/")[:2]) + "/")
    return units.order_by("path")


def _plan_filters(form: PlanFilterForm) -> selectors.PlanFilters:
    if not form.is_valid():
        return selectors.PlanFilters()
    d = form.cleaned_data
    return selectors.PlanFilters(
        q=d["q"].strip(),
        department_id=d["department"].pk if d["department"] else None,
        overdue_measures=d["overdue_measures"],
        open_problems=d["open_problems"],
    )


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    """The enterprise plans in scope, with their measures' progress and open problems."""
    user = _user(request)
    form = PlanFilterForm(request.GET or None, departments=_plan_departments(user))
    page = paginate(request, selectors.enterprise_plan_list(user=user, filters=_plan_filters(form)))
    context = {"page": page, "form": form, "qs": querystring_without_page(request)}
    return render(request, "ledger/plan_list.html", context)


@login_required
def plan_export_view(request: HttpRequest) -> HttpResponse:
    """Excel export of the plans in scope, one row per measure."""
    user = _user(request)
    if not access_for(user).can_export:
        raise PermissionDenied
    form = PlanFilterForm(request.GET or None, departments=_plan_departments(user))
    rows = selectors.enterprise_plan_list(user=user, filters=_plan_filters(form))[:20_000]
    content = plans_xlsx(rows.prefetch_related("measures__department").iterator(chunk_size=500))
    audit(
        actor=user, action=AuditAction.EXPORT, object_type="ledger.enterpriseplan", note=request.GET.urlencode()[:500]
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="enterprise-plans-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def plan_for_post_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """The "一企一策" link of an enterprise: its plan, or the form to start one (404 if neither is allowed)."""
    user = _user(request)
    plan = selectors.enterprise_plan_list(user=user).filter(post_id=post_id).first()
    if plan is not None:
        return redirect(plan)
    if EnterprisePlan.objects.filter(post_id=post_id).exists():
        raise Http404  # a plan exists but is outside the user's scope
    if selectors.plan_editable_posts(user=user).filter(pk=post_id).exists():
        return redirect(f"{reverse('ledger:plan_create')}?post={post_id}")
    post = get_post_for_user(user=user, pk=post_id)  # 404 outside the scope
    messages.info(request, _("“%(name)s”还没有一企一策。") % {"name": post.name})
    return redirect(post)


@login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    posts = selectors.plan_editable_posts(user=user).filter(enterprise_plan__isnull=True)
    form = PlanCreateForm(request.POST or None, posts=posts, initial={"post": request.GET.get("post")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = plans.enterprise_plan_create(actor=user, post=d["post"], title=d["title"], summary=d["summary"])
        except services.ProblemValidationError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已建立一企一策，请添加措施。"))
            return redirect(plan)
    return render(request, "ledger/plan_form.html", {"form": form})


PLAN_PROBLEM_ROWS = 50  # on the plan page; the rest through the problem list filtered by the post


def _measure_form(
    user: User, plan: EnterprisePlan, data: "QueryDict | None" = None, *, initial: dict[str, object] | None = None
) -> MeasureForm:
    """Return the full measure form: departments of the province, the enterprise's problems in scope."""
    return MeasureForm(
        data,
        initial=initial,
        departments=selectors.plan_department_choices(post=plan.post),
        problems=selectors.plan_problems(user=user, plan=plan),
    )


@login_required
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its summary (editable with optimistic locking), measures, and the enterprise's problems."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=pk)
    editor = plans.may_edit_plan(user, plan)
    if request.method == "POST":
        plan_form = PlanForm(request.POST)
        if plan_form.is_valid():
            d = plan_form.cleaned_data
            try:
                plans.enterprise_plan_update(
                    actor=user, plan=plan, title=d["title"], summary=d["summary"], expected_version=d["version"]
                )
            except ConflictError as exc:
                messages.warning(request, exc.message)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("一企一策已保存。"))
        else:
            messages.error(request, _("提交的内容无效，请检查后重试。"))
        return redirect(plan)
    measures = list(selectors.plan_measures(plan=plan))
    for m in measures:
        m.can_report = editor or plans.is_measure_department(user, m)  # type: ignore[attr-defined]
    context = {
        "plan": plan,
        "editor": editor,
        "plan_form": PlanForm(initial={"title": plan.title, "summary": plan.summary, "version": plan.version}),
        "measures": measures,
        "statuses": MeasureStatus.choices,
        "new_measure_form": _measure_form(user, plan, initial={"version": plan.version}) if editor else None,
        "problems": list(selectors.plan_problems(user=user, plan=plan)[:PLAN_PROBLEM_ROWS]),
        "problem_rows": PLAN_PROBLEM_ROWS,
    }
    return render(request, "ledger/plan_detail.html", context)


@login_required
@require_POST
def plan_measure_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=pk)
    form = _measure_form(user, plan, request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(plan)
    d = form.cleaned_data
    try:
        plans.plan_measure_add(
            actor=user,
            plan=plan,
            data=plans.MeasureData(
                text=d["text"],
                department=d["department"],
                due_date=d["due_date"],
                status=d["status"],
                problem=d["problem"],
                position=d["position"],
            ),
            expected_version=d["version"],
        )
    except ConflictError as exc:
        messages.warning(request, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已添加措施。"))
    return redirect(plan)


@login_required
def plan_measure_edit_view(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """Edit every field of a measure (plan editors only)."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=pk)
    if not plans.may_edit_plan(user, plan):
        raise PermissionDenied
    measure = get_object_or_404(PlanMeasure.objects.select_related("department"), plan=plan, pk=measure_pk)
    initial = {
        "text": measure.text,
        "department": measure.department_id,
        "due_date": measure.due_date,
        "status": measure.status,
        "problem": measure.problem_id,
        "position": measure.position,
        "version": plan.version,
    }
    form = _measure_form(user, plan, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in ("text", "department", "due_date", "status", "problem", "position")}
        try:
            plans.plan_measure_update(actor=user, plan=plan, measure=measure, expected_version=d["version"], **fields)
        except ConflictError as exc:
            messages.warning(request, exc.message)
            return redirect(plan)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("措施已保存。"))
            return redirect(f"{plan.get_absolute_url()}#measure-{measure.pk}")
    return render(request, "ledger/plan_measure_form.html", {"plan": plan, "measure": measure, "form": form})


@login_required
@require_POST
def plan_measure_status_view(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    """Report a measure's progress: a plan editor or the measure's responsible department."""
    user = _user(request)
    plan = selectors.get_enterprise_plan_for_user(user=user, pk=pk)
    measure = get_object_or_404(PlanMeasure.objects.select_related("department"), plan=plan, pk=measure_pk)
    form = MeasureStatusForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(plan)
    d = form.cleaned_data
    try:
        plans.plan_measure_update(
            actor=user, plan=plan, measure=measure, expected_version=d["version"], status=d["status"]
        )
    except ConflictError as exc:
        messages.warning(request, exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("措施状态已更新。"))
    return redirect(f"{plan.get_absolute_url()}#measure-{measure.pk}")
