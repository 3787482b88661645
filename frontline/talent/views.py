"""Pages for the reserve-cadre pool, the rule's candidates, promotions, merits and the dossier download.

Rows come only through selectors (a cadre outside the user's scope is a 404); writes go only
through the services. A role without the edit right gets 403 on the forms.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontline.cadres.models import Cadre
from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.talent.export import reserve_pool_filename, reserve_pool_xlsx
from frontline.talent.forms import (
    CadrePickForm,
    CandidatesForm,
    DecisionForm,
    MeritForm,
    NominateForm,
    PromotionForm,
)
from frontline.talent.models import MeritKind, PromotionKind, ReserveBasis, ReserveStatus
from frontline.talent.rules import reserve_rule_candidates
from frontline.talent.selectors import (
    get_reserve_entry_for_user,
    merit_list,
    promotion_list,
    reserve_entry_list,
)
from frontline.talent.services import (
    ACTION_LABELS,
    MeritData,
    PromotionData,
    ReserveAction,
    TalentValidationError,
    allowed_actions,
    dossier_export,
    merit_create,
    promotion_create,
    reserve_entry_transition,
    reserve_nominate,
    reserve_nominate_by_rule,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _require_edit(request: HttpRequest) -> None:
    if not access_for(_user(request)).can_edit:
        raise PermissionDenied(_("您的角色没有编辑权限。"))


def _form_error(form: Any, exc: ApplicationError) -> None:
    """Attach a service error to the form: field errors to their fields, the rest on top."""
    if isinstance(exc, TalentValidationError):
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


def _score_url(score_id: object) -> str | None:
    """Return the link to a score's traceable breakdown (None while the appraisal pages are not installed)."""
    if not isinstance(score_id, int):
        return None
    try:
        return reverse("appraisal:score_detail", args=[score_id])
    except NoReverseMatch:
        return None


# --- the reserve pool --------------------------------------------------------------------------


def _reserve_filters(request: HttpRequest) -> dict[str, Any]:
    status = request.GET.get("status", "")
    basis = request.GET.get("basis", "")
    return {
        "status": status if status in ReserveStatus.values else "",
        "basis": basis if basis in ReserveBasis.values else "",
        "q": request.GET.get("q", "").strip(),
        "cadre_id": _int(request.GET.get("cadre")),
    }


@login_required
def reserve_list_view(request: HttpRequest) -> HttpResponse:
    filters = _reserve_filters(request)
    page = paginate(request, reserve_entry_list(user=_user(request), **filters))
    return render(
        request,
        "talent/reserve_list.html",
        {
            "page": page,
            "qs": querystring_without_page(request),
            "statuses": ReserveStatus.choices,
            "bases": ReserveBasis.choices,
            **filters,
        },
    )


@never_cache
@login_required
def reserve_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered reserve pool as .xlsx (roles with the export right; audited)."""
    user = _user(request)
    if not access_for(user).can_export:
        raise PermissionDenied(_("您的角色没有导出权限。"))
    filters = _reserve_filters(request)
    content = reserve_pool_xlsx(
        actor=user, entries=reserve_entry_list(user=user, **filters), filters=querystring_without_page(request)
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, reserve_pool_filename())
    response["Cache-Control"] = "no-store"  # the pool holds personal data
    return response


@login_required
def reserve_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_reserve_entry_for_user(user=_user(request), pk=pk)
    actions = [(a, ACTION_LABELS[a]) for a in allowed_actions(entry)]
    return render(
        request,
        "talent/reserve_detail.html",
        {
            "entry": entry,
            "actions": actions,
            "form": DecisionForm(initial={"version": entry.version}),
            "periods": [{**p, "url": _score_url(p.get("score_id"))} for p in entry.evidence.get("periods") or []],
            "promotions": entry.promotions.all(),
        },
    )


@login_required
@require_POST
def reserve_decide_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    entry = get_reserve_entry_for_user(user=user, pk=pk)
    _require_edit(request)
    if action not in ReserveAction.__members__.values():
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(entry)
    try:
        reserve_entry_transition(
            actor=user,
            entry=entry,
            action=action,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        done = {"action": ACTION_LABELS[action], "name": entry.cadre.name}
        messages.success(request, _("已%(action)s：%(name)s。") % done)
    return redirect(entry)


@login_required
@require_http_methods(["GET", "POST"])
def reserve_nominate_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    initial = {"cadre": _int(request.GET.get("cadre"))}
    form = NominateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = reserve_nominate(actor=user, cadre=form.cleaned_data["cadre"], reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已提名 %(name)s，待审批。") % {"name": entry.cadre.name})
            return redirect(entry)
    return render(request, "talent/reserve_nominate.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def reserve_candidates_view(request: HttpRequest) -> HttpResponse:
    """The rule's candidates for a campaign with their evidence; the selected ones are nominated."""
    user = _user(request)
    form = CandidatesForm(request.GET if "campaign" in request.GET else None, user=user)
    result = None
    if form.is_valid():
        campaign = form.cleaned_data["campaign"]
        if request.method == "POST":
            _require_edit(request)
            ids = [i for i in (_int(v) for v in request.POST.getlist("cadre")) if i]
            try:
                outcome = reserve_nominate_by_rule(
                    actor=user,
                    campaign=campaign,
                    cadre_ids=ids,
                    months=form.cleaned_data["months"],
                    top_share=form.top_share,
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已按规则提名 %(n)d 人，待审批。") % {"n": len(outcome.created)})
                for cadre, why in outcome.skipped:
                    messages.warning(request, _("%(name)s 未提名：%(why)s。") % {"name": cadre.name, "why": why})
            return redirect(request.get_full_path())
        result = reserve_rule_candidates(
            campaign=campaign, months=form.cleaned_data["months"], top_share=form.top_share, user=user
        )
    elif request.method == "POST":
        raise Http404
    return render(request, "talent/reserve_candidates.html", {"form": form, "result": result})


# --- promotions and merits ---------------------------------------------------------------------


def _kind_filter(request: HttpRequest, choices: list[str]) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in choices else ""


@login_required
def promotion_list_view(request: HttpRequest) -> HttpResponse:
    kind = _kind_filter(request, PromotionKind.values)
    q = request.GET.get("q", "").strip()
    cadre_id, year = _int(request.GET.get("cadre")), _int(request.GET.get("year"))
    page = paginate(request, promotion_list(user=_user(request), kind=kind, q=q, cadre_id=cadre_id, year=year))
    context = {"page": page, "qs": querystring_without_page(request), "kinds": PromotionKind.choices}
    filters = {"kind": kind, "q": q, "cadre_id": cadre_id, "year": year}
    return render(request, "talent/promotion_list.html", context | filters)


def _picked_cadre(request: HttpRequest, user: User) -> Cadre | None:
    pk = _int(request.GET.get("cadre"))
    return get_cadre_for_user(user=user, pk=pk) if pk else None


@login_required
@require_http_methods(["GET", "POST"])
def promotion_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    cadre = _picked_cadre(request, user)
    if cadre is None:
        return render(request, "talent/promotion_form.html", {"pick": CadrePickForm(user=user), "cadre": None})
    form = PromotionForm(request.POST or None, cadre=cadre, initial={"to_rank": None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = PromotionData(
            kind=d["kind"],
            effective_on=d["effective_on"],
            decision_body=d["decision_body"],
            evidence=d["evidence"],
            to_position=d["to_position"],
            to_rank=d["to_rank"],
            decision_ref=d["decision_ref"],
            scores=list(d["scores"]),
            reserve_entry=d["reserve_entry"],
        )
        try:
            promotion = promotion_create(actor=user, cadre=cadre, data=data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s 的提拔晋升。") % {"name": cadre.name})
            return redirect(promotion)
    return render(request, "talent/promotion_form.html", {"form": form, "cadre": cadre})


@login_required
def merit_list_view(request: HttpRequest) -> HttpResponse:
    kind = _kind_filter(request, MeritKind.values)
    q = request.GET.get("q", "").strip()
    cadre_id, year = _int(request.GET.get("cadre")), _int(request.GET.get("year"))
    page = paginate(request, merit_list(user=_user(request), kind=kind, q=q, cadre_id=cadre_id, year=year))
    context = {"page": page, "qs": querystring_without_page(request), "kinds": MeritKind.choices}
    filters = {"kind": kind, "q": q, "cadre_id": cadre_id, "year": year}
    return render(request, "talent/merit_list.html", context | filters)


@login_required
@require_http_methods(["GET", "POST"])
def merit_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    cadre = _picked_cadre(request, user)
    if cadre is None:
        return render(request, "talent/merit_form.html", {"pick": CadrePickForm(user=user), "cadre": None})
    form = MeritForm(request.POST or None, cadre=cadre)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = MeritData(
            kind=d["kind"],
            awarded_on=d["awarded_on"],
            awarding_body=d["awarding_body"],
            reason=d["reason"],
            title=d["title"],
            evidence=d["evidence"],
            scores=list(d["scores"]),
        )
        try:
            merit = merit_create(actor=user, cadre=cadre, data=data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s 的奖励。") % {"name": cadre.name})
            return redirect(merit)
    return render(request, "talent/merit_form.html", {"form": form, "cadre": cadre})


# --- the dossier -------------------------------------------------------------------------------


@never_cache
@login_required
def dossier_view(request: HttpRequest, cadre_id: int) -> HttpResponse:
    """The cadre's frontline dossier as a PDF download; every download is audited."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_id)
    dossier = dossier_export(actor=user, cadre=cadre)
    response = HttpResponse(dossier.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, dossier.filename)
    response["Cache-Control"] = "no-store"
    return response
