"""Pages for campaigns, working groups, deployments, post needs and the matching flow."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.middleware import client_ip
from frontline.core.models import AuditAction, User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.dispatch import export
from frontline.dispatch.forms import (
    AdjustForm,
    CampaignForm,
    DeploymentEndForm,
    DeploymentExtendForm,
    DeploymentForm,
    DeploymentTransferForm,
    PostNeedForm,
    RequesterNeedForm,
    ResponsibilityEndForm,
    ResponsibilityForm,
    RunStartForm,
    WorkingGroupForm,
)
from frontline.dispatch.models import (
    CampaignStatus,
    DeploymentStatus,
    MatchingRule,
    MatchingRuleKind,
    MatchingRunStatus,
    RequesterLink,
    ResponsibilityLevel,
)
from frontline.dispatch.runs import (
    RunParams,
    matching_rule_delete,
    matching_run_adjust,
    matching_run_approve,
    matching_run_rerun,
    matching_run_start,
)
from frontline.dispatch.selectors import (
    RESPONSIBILITY_STATUSES,
    campaign_list,
    campaign_progress,
    deployment_history,
    deployment_list,
    get_campaign_for_user,
    get_deployment_for_user,
    get_matching_run_for_user,
    get_post_need_for_user,
    get_requester_link,
    get_responsibility_for_user,
    get_working_group_for_user,
    matching_run_list,
    post_need_list,
    responsibility_list,
    role_list,
    working_group_list,
)
from frontline.dispatch.services import (
    CampaignData,
    DispatchValidationError,
    PostNeedData,
    WorkingGroupData,
    campaign_create,
    campaign_update,
    deployment_create,
    deployment_end,
    deployment_extend,
    deployment_transfer,
    post_need_create,
    post_need_delete,
    post_need_update,
    requester_departments,
    requester_link_rotate,
    requester_link_withdraw,
    requester_need_submit_public,
    responsibility_create,
    responsibility_end,
    working_group_create,
    working_group_update,
)
from frontline.posts.selectors import get_post_for_user

PREVIEW_LIMIT = 200  # unfilled needs and unassigned cadres shown on the page; the export has all


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _form_error(form: Any, exc: ApplicationError) -> None:
    """Attach a service error to the form: field errors to their fields, the rest on top."""
    if isinstance(exc, DispatchValidationError):
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


def _require_edit(request: HttpRequest) -> None:
    if not access_for(_user(request)).can_edit:
        raise Http404


# --- campaigns --------------------------------------------------------------------------------


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in CampaignStatus.values:
        status = ""
    page = paginate(request, campaign_list(user=_user(request), q=q, status=status))
    return render(
        request,
        "dispatch/campaign_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": CampaignStatus.choices,
            "qs": querystring_without_page(request),
        },
    )


def _campaign_data(form: CampaignForm) -> CampaignData:
    d = form.cleaned_data
    return CampaignData(
        name=d["name"],
        organizing_unit=d["organizing_unit"],
        start_date=d["start_date"],
        end_date=d["end_date"],
        description=d["description"],
        status=d["status"],
        weight_department=d["weight_department"],
        weight_expertise=d["weight_expertise"],
        weight_distance_per_km=d["weight_distance_per_km"],
        weight_continuity=d["weight_continuity"],
        max_distance_km=d["max_distance_km"],
        targets=form.targets(),
    )


@login_required
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    form = CampaignForm(request.POST or None, user=user, initial={"organizing_unit": user.unit})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(actor=user, data=_campaign_data(form))
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已创建行动“%(name)s”。") % {"name": campaign.name})
            return redirect(campaign)
    return render(request, "dispatch/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=pk)
    _require_edit(request)
    form = CampaignForm(request.POST or None, user=user, initial=CampaignForm.initial_for(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_update(
                actor=user,
                campaign=campaign,
                data=_campaign_data(form),
                expected_version=form.cleaned_data["version"] or campaign.version,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(campaign)
    return render(request, "dispatch/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=pk)
    role_id = _int(request.GET.get("role"))
    status = request.GET.get("status", DeploymentStatus.ACTIVE)
    if status not in DeploymentStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()
    deployments = deployment_list(user=user, campaign_id=campaign.pk, role_id=role_id, status=status, q=q)
    context = {
        "campaign": campaign,
        "progress": campaign_progress(campaign),
        "page": paginate(request, deployments),
        "qs": querystring_without_page(request),
        "groups": working_group_list(user=user, campaign_id=campaign.pk)[:50],
        "runs": matching_run_list(user=user, campaign_id=campaign.pk)
        .defer("result", "params")
        .annotate(assigned=KT("result__totals__assigned"))[:10],
        "roles": role_list(),
        "role_id": role_id,
        "status": status,
        "statuses": DeploymentStatus.choices,
        "q": q,
        "run_form": RunStartForm(user=user),
        "rules": MatchingRule.objects.filter(campaign=campaign).select_related("cadre", "post")[:100],
        "responsibilities": responsibility_list(user=user, campaign_id=campaign.pk, status="current")[:10],
        "responsibility_count": responsibility_list(user=user, campaign_id=campaign.pk, status="current").count(),
    }
    return render(request, "dispatch/campaign_detail.html", context)


@login_required
def campaign_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The targets-against-actual partial, refreshed by HTMX every few seconds."""
    campaign = get_campaign_for_user(user=_user(request), pk=pk)
    return render(
        request, "dispatch/_campaign_progress.html", {"campaign": campaign, "progress": campaign_progress(campaign)}
    )


# --- working groups ---------------------------------------------------------------------------


def _group_data(form: WorkingGroupForm) -> WorkingGroupData:
    d = form.cleaned_data
    return WorkingGroupData(
        name=d["name"],
        leader=d["leader"],
        members=list(d["members"]),
        post=d["post"],
        forms_party_branch=d["forms_party_branch"],
    )


@login_required
def working_group_create_view(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=campaign_pk)
    _require_edit(request)
    form = WorkingGroupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            working_group_create(actor=user, campaign=campaign, data=_group_data(form))
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已创建工作组。"))
            return redirect(campaign)
    return render(request, "dispatch/working_group_form.html", {"form": form, "campaign": campaign, "group": None})


@login_required
def working_group_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = get_working_group_for_user(user=user, pk=pk)
    _require_edit(request)
    form = WorkingGroupForm(request.POST or None, user=user, initial=WorkingGroupForm.initial_for(group))
    if request.method == "POST" and form.is_valid():
        try:
            working_group_update(
                actor=user,
                group=group,
                data=_group_data(form),
                expected_version=form.cleaned_data["version"] or group.version,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(group.campaign)
    return render(
        request, "dispatch/working_group_form.html", {"form": form, "campaign": group.campaign, "group": group}
    )


# --- deployments ------------------------------------------------------------------------------


@login_required
def deployment_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = {
        "campaign_id": _int(request.GET.get("campaign")),
        "role_id": _int(request.GET.get("role")),
        "post_id": _int(request.GET.get("post")),
        "cadre_id": _int(request.GET.get("cadre")),
    }
    status = request.GET.get("status", DeploymentStatus.ACTIVE)
    if status not in DeploymentStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()
    page = paginate(request, deployment_list(user=user, status=status, q=q, **filters))
    return render(
        request,
        "dispatch/deployment_list.html",
        {
            "page": page,
            "qs": querystring_without_page(request),
            "campaigns": campaign_list(user=user)[:200],
            "roles": role_list(),
            "statuses": DeploymentStatus.choices,
            "status": status,
            "q": q,
            **filters,
        },
    )


@login_required
def deployment_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    initial: dict[str, Any] = {"start_date": timezone.localdate(), "is_full_time": True}
    for name in ("campaign", "post", "cadre"):
        if value := _int(request.GET.get(name)):
            initial[name] = value
    form = DeploymentForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            deployment = deployment_create(
                actor=user,
                cadre=d["cadre"],
                post=d["post"],
                role=d["role"],
                start_date=d["start_date"],
                planned_end=d["planned_end"],
                is_full_time=d["is_full_time"],
                campaign=d["campaign"],
                note=d["note"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已选派：%(d)s。") % {"d": deployment})
            return redirect(deployment)
    return render(request, "dispatch/deployment_form.html", {"form": form})


@login_required
def deployment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    deployment = get_deployment_for_user(user=user, pk=pk)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "deployment": deployment,
        "history": deployment_history(deployment),
        "end_form": DeploymentEndForm(initial={"ended_on": today, "version": deployment.version}),
        "extend_form": DeploymentExtendForm(
            initial={"planned_end": deployment.planned_end, "version": deployment.version}
        ),
        "transfer_form": DeploymentTransferForm(user=user, initial={"on": today, "version": deployment.version}),
    }
    return render(request, "dispatch/deployment_detail.html", context)


@login_required
@require_POST
def deployment_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """End, extend or transfer a deployment; errors go back to the detail page with the form."""
    user = _user(request)
    deployment = get_deployment_for_user(user=user, pk=pk)
    _require_edit(request)
    form: DeploymentEndForm | DeploymentExtendForm | DeploymentTransferForm
    if action == "end":
        form = DeploymentEndForm(request.POST)
    elif action == "extend":
        form = DeploymentExtendForm(request.POST)
    elif action == "transfer":
        form = DeploymentTransferForm(request.POST, user=user)
    else:
        raise Http404
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "end":
                result = deployment_end(
                    actor=user,
                    deployment=deployment,
                    ended_on=d["ended_on"],
                    expected_version=d["version"],
                    note=d["note"],
                )
                messages.success(request, _("任职已结束。"))
            elif action == "extend":
                result = deployment_extend(
                    actor=user,
                    deployment=deployment,
                    planned_end=d["planned_end"],
                    expected_version=d["version"],
                    note=d["note"],
                )
                messages.success(request, _("已延期至 %(d)s。") % {"d": d["planned_end"].isoformat()})
            else:
                result = deployment_transfer(
                    actor=user,
                    deployment=deployment,
                    post=d["post"],
                    role=d["role"],
                    expected_version=d["version"],
                    on=d["on"],
                    note=d["note"],
                )
                messages.success(request, _("已调岗到“%(post)s”。") % {"post": result.post.name})
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(deployment)
        return redirect(result)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(deployment)


# --- post needs -------------------------------------------------------------------------------


def _need_data(form: PostNeedForm) -> PostNeedData:
    d = form.cleaned_data
    return PostNeedData(
        role=d["role"],
        min_count=d["min_count"],
        max_count=d["max_count"],
        preferred_units=list(d["preferred_units"]),
        expertise=list(d["expertise"]),
        rank_min=d["rank_min"],
        rank_max=d["rank_max"],
        min_party_members=d["min_party_members"],
        max_distance_km=d["max_distance_km"],
        note=d["note"],
        campaign=d["campaign"],
    )


@login_required
def post_needs_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post's needs, and a form to add one."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    form = PostNeedForm(request.POST or None, user=user, post=post)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                post_need_create(actor=user, post=post, data=_need_data(form))
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已添加需求。"))
                return redirect("dispatch:post_needs", post_id=post.pk)
    needs = post_need_list(user=user, post_id=post.pk)
    deployments = deployment_list(user=user, post_id=post.pk, status=DeploymentStatus.ACTIVE)
    link = RequesterLink.objects.filter(post=post).select_related("unit").first()
    return render(
        request,
        "dispatch/post_needs.html",
        {
            "post": post,
            "needs": needs,
            "form": form,
            "deployments": deployments[:50],
            **_requester_link_context(request, link),
        },
    )


@login_required
def post_need_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    need = get_post_need_for_user(user=user, pk=pk)
    _require_edit(request)
    initial = {
        "role": need.role,
        "min_count": need.min_count,
        "max_count": need.max_count,
        "preferred_units": list(need.preferred_units.all()),
        "expertise": list(need.expertise.all()),
        "rank_min": need.rank_min,
        "rank_max": need.rank_max,
        "min_party_members": need.min_party_members,
        "max_distance_km": need.max_distance_km,
        "campaign": need.campaign,
        "note": need.note,
        "version": need.version,
    }
    form = PostNeedForm(request.POST or None, user=user, post=need.post, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _need_data(form)
        data.submitted_by_requester = need.submitted_by_requester
        data.requester_contact = need.requester_contact
        try:
            post_need_update(
                actor=user, need=need, data=data, expected_version=form.cleaned_data["version"] or need.version
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("dispatch:post_needs", post_id=need.post_id)
    return render(request, "dispatch/post_need_form.html", {"form": form, "need": need, "post": need.post})


@login_required
@require_POST
def post_need_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    need = get_post_need_for_user(user=user, pk=pk)
    _require_edit(request)
    post_id = need.post_id
    try:
        post_need_delete(actor=user, need=need)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该需求。"))
    return redirect("dispatch:post_needs", post_id=post_id)


def _requester_link_context(request: HttpRequest, link: RequesterLink | None) -> dict[str, Any]:
    if link is None:
        return {"link": None}
    url = request.build_absolute_uri(link.get_absolute_url())
    qr = segno.make(url, error="m")
    return {"link": link, "link_url": url, "link_qr": qr.svg_data_uri(scale=5, border=2)}


@login_required
@require_POST
def requester_link_rotate_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """Create the post's public form link, or replace it (the old link stops working)."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    _require_edit(request)
    had_link = RequesterLink.objects.filter(post=post).exists()
    try:
        requester_link_rotate(actor=user, post=post)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更换链接，旧链接和旧二维码已作废。") if had_link else _("已生成需求自报链接。"))
    return redirect(reverse("dispatch:post_needs", args=[post.pk]) + "#ask-link")


@login_required
@require_POST
def requester_link_withdraw_view(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    _require_edit(request)
    link = get_object_or_404(RequesterLink, post=post)
    try:
        requester_link_withdraw(actor=user, link=link)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已停用需求自报链接。"))
    return redirect(reverse("dispatch:post_needs", args=[post.pk]) + "#ask-link")


def requester_public_view(request: HttpRequest, token: str) -> HttpResponse:
    """The enterprise's short form, reached through the post's unguessable link; no login.

    An unknown, rotated or withdrawn token is a 404, like any page that does not exist.
    """
    link = get_requester_link(token)
    form = RequesterNeedForm(request.POST or None, departments=requester_departments(link))
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            requester_need_submit_public(
                link=link,
                preferred_unit=d["preferred_unit"],
                note=d["note"],
                contact_name=d["contact_name"],
                client_ip=client_ip(request),
            )
        except DispatchValidationError as exc:
            _form_error(form, exc)
            status = 400
        except ApplicationError as exc:
            if exc.code == "not_found":
                raise Http404 from None
            form.add_error(None, exc.message)
            status = 429 if exc.code == "rate_limited" else 400
        else:
            return render(request, "dispatch/requester_need_done.html", {"post": link.post})
    elif request.method == "POST":
        status = 400
    return render(request, "dispatch/requester_need_form.html", {"post": link.post, "form": form}, status=status)


# --- responsibility assignments (包保) -----------------------------------------------------------


def _responsibility_filters(request: HttpRequest) -> dict[str, Any]:
    level = request.GET.get("level", "")
    status = request.GET.get("status", "current")
    return {
        "campaign_id": _int(request.GET.get("campaign")),
        "cadre_id": _int(request.GET.get("cadre")),
        "post_id": _int(request.GET.get("post")),
        "level": level if level in ResponsibilityLevel.values else "",
        "status": status if status in RESPONSIBILITY_STATUSES else "",
        "q": request.GET.get("q", "").strip(),
    }


@login_required
def responsibility_list_view(request: HttpRequest) -> HttpResponse:
    """Who answers for which key project, and who for which sub-project (包保)."""
    user = _user(request)
    filters = _responsibility_filters(request)
    page = paginate(request, responsibility_list(user=user, **filters))
    campaign = get_campaign_for_user(user=user, pk=filters["campaign_id"]) if filters["campaign_id"] else None
    return render(
        request,
        "dispatch/responsibility_list.html",
        {
            "page": page,
            "qs": querystring_without_page(request),
            "export_qs": request.GET.urlencode(),
            "campaign": campaign,
            "campaigns": campaign_list(user=user)[:200],
            "levels": ResponsibilityLevel.choices,
            **filters,
        },
    )


@login_required
def responsibility_export_view(request: HttpRequest) -> HttpResponse:
    """The 包保 list with the page's filters and scope, as .xlsx; audited as an export."""
    user = _user(request)
    if not access_for(user).can_export:
        raise Http404
    filters = _responsibility_filters(request)
    rows = responsibility_list(user=user, **filters)[:100_000]
    content = export.responsibilities_xlsx(rows.iterator(chunk_size=2000))
    audit(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="dispatch.responsibilityassignment",
        note=_("导出包保责任：%(q)s") % {"q": request.GET.urlencode()[:400]},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="responsibilities-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def responsibility_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    initial: dict[str, Any] = {"start_date": timezone.localdate()}
    for name in ("campaign", "post", "cadre"):
        if value := _int(request.GET.get(name)):
            initial[name] = value
    form = ResponsibilityForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assignment = responsibility_create(
                actor=user,
                cadre=d["cadre"],
                post=d["post"],
                level=d["level"],
                start_date=d["start_date"],
                end_date=d["end_date"],
                campaign=d["campaign"],
                note=d["note"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记：%(cadre)s包保“%(post)s”。") % {"cadre": assignment.cadre.name, "post": assignment.post.name},
            )
            url = reverse("dispatch:responsibility_list")
            if assignment.campaign_id:
                url += f"?campaign={assignment.campaign_id}"
            return redirect(url)
    return render(request, "dispatch/responsibility_form.html", {"form": form})


@login_required
def responsibility_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assignment = get_responsibility_for_user(user=user, pk=pk)
    _require_edit(request)
    form = ResponsibilityEndForm(
        request.POST or None, initial={"ended_on": timezone.localdate(), "version": assignment.version}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            responsibility_end(
                actor=user,
                assignment=assignment,
                ended_on=d["ended_on"],
                expected_version=d["version"],
                note=d["note"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(cadre)s对“%(post)s”的包保已结束。")
                % {"cadre": assignment.cadre.name, "post": assignment.post.name},
            )
            url = reverse("dispatch:responsibility_list")
            if assignment.campaign_id:
                url += f"?campaign={assignment.campaign_id}"
            return redirect(url)
    return render(request, "dispatch/responsibility_end.html", {"form": form, "assignment": assignment})


# --- matching runs ----------------------------------------------------------------------------


@login_required
@require_POST
def run_start_view(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=campaign_pk)
    _require_edit(request)
    form = RunStartForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, _("人员范围填写有误，请检查后重试。"))
        return redirect(campaign)
    d = form.cleaned_data
    try:
        run = matching_run_start(
            actor=user,
            campaign=campaign,
            params=RunParams(
                unit_ids=tuple(u.pk for u in d["units"]),
                tag_ids=tuple(t.pk for t in d["tags"]),
                full_time=d["full_time"],
                start_date=d["start_date"],
            ),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(campaign)
    return redirect(run)


@login_required
def run_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=pk)
    result: dict[str, Any] = run.result or {}
    rules = {
        (r.cadre_id, r.post_id): r
        for r in MatchingRule.objects.filter(campaign_id=run.campaign_id).select_related("cadre", "post")
    }
    # Large plans are paged here; the Excel export has every row.
    page = Paginator(result.get("assignments", []), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    assignments = [{**a, "rule": rules.get((a["cadre_id"], a["post_id"]))} for a in page.object_list]
    posts = sorted(
        {(a["post_id"], a["post_name"]) for a in result.get("assignments", [])}
        | {(u["post_id"], u["post_name"]) for u in result.get("unfilled", [])},
        key=lambda p: p[1],
    )
    context = {
        "run": run,
        "campaign": run.campaign,
        "result": result,
        "totals": result.get("totals", {}),
        "assignments": assignments,
        "page": page,
        "qs": "",
        "unfilled": result.get("unfilled", [])[:PREVIEW_LIMIT],
        "unassigned": result.get("unassigned", [])[:PREVIEW_LIMIT],
        "preview_limit": PREVIEW_LIMIT,
        "posts": posts[:PREVIEW_LIMIT],
        "rules": list(rules.values()),
        "can_edit": access_for(user).can_edit,
        "is_done": run.status == MatchingRunStatus.DONE,
        "is_approved": run.status == MatchingRunStatus.APPROVED,
    }
    return render(request, "dispatch/run_detail.html", context)


@login_required
def run_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial; once the run has finished, tell HTMX to reload the page with the preview."""
    run = get_matching_run_for_user(user=_user(request), pk=pk)
    if run.is_finished and request.headers.get("HX-Request"):
        return HttpResponseClientRefresh()
    return render(request, "dispatch/_run_status.html", {"run": run})


@login_required
@require_POST
def run_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Pin or forbid a pair, then run again; land on the new run."""
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=pk)
    _require_edit(request)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("调整参数无效。"))
        return redirect(run)
    d = form.cleaned_data
    try:
        cadre = get_cadre_for_user(user=user, pk=d["cadre"])
        post = get_post_for_user(user=user, pk=d["post"])
        new_run = matching_run_adjust(actor=user, run=run, cadre=cadre, post=post, kind=d["kind"], reason=d["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(run)
    label = _("锁定") if d["kind"] == MatchingRuleKind.PIN else _("排除")
    messages.success(
        request,
        _("已%(label)s“%(cadre)s → %(post)s”，正在重新计算。")
        % {"label": label, "cadre": cadre.name, "post": post.name},
    )
    return redirect(new_run)


@login_required
@require_POST
def run_rerun_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=pk)
    _require_edit(request)
    try:
        new_run = matching_run_rerun(actor=user, run=run)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(run)
    return redirect(new_run)


@login_required
@require_POST
def rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    rule = get_object_or_404(MatchingRule.objects.filter(campaign__in=campaign_list(user=user).values("pk")), pk=pk)
    _require_edit(request)
    campaign = rule.campaign
    matching_rule_delete(actor=user, rule=rule)
    messages.success(request, _("已取消该规则，下次计算生效。"))
    back = _int(request.POST.get("run"))
    if back:
        return redirect("dispatch:run_detail", pk=back)
    return redirect(campaign)


@login_required
@require_POST
def run_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the plan; the deployments are written in the background while the run page polls."""
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=pk)
    _require_edit(request)
    try:
        matching_run_approve(actor=user, run=run, expected_version=_int(request.POST.get("version")))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(run)
    messages.success(request, _("已提交批准，正在后台生成任职；完成后本页会自动刷新。"))
    return redirect(run)


@login_required
def run_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (or approved result) as an .xlsx file; audited as an export."""
    user = _user(request)
    run = get_matching_run_for_user(user=user, pk=pk)
    if not access_for(user).can_export:
        raise Http404
    content = export.run_xlsx(run)
    audit(actor=user, action=AuditAction.EXPORT, obj=run, note=_("导出匹配方案"))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"matching-run-{run.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
