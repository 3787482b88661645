"""Pages of the appraisal: schemes, periods (compute, review, adjust, lock), rankings, the project
ranking, a cadre's traceable score, integrity flags, evidence entry and the performance record.

Every score can be traced to its rows in two clicks: period → score page → evidence rows.
"""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from frontline.appraisal import selectors, services
from frontline.appraisal.export import ranking_xlsx
from frontline.appraisal.forms import (
    AdjustForm,
    AdoptForm,
    FlagReviewForm,
    InspectionForm,
    LockForm,
    PerformanceNoteForm,
    PeriodCreateForm,
    ProjectAssessmentForm,
    SchemeCreateForm,
    SchemeForm,
    StakeholderRatingForm,
    SuggestionForm,
)
from frontline.appraisal.indicators import NORMALIZATION_DOCS, input_doc
from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    FlagKind,
    FlagStatus,
    Indicator,
    InputSource,
    Normalization,
    PeriodStatus,
    RaterKind,
)
from frontline.appraisal.performance import performance_record
from frontline.cadres.models import Cadre
from frontline.cadres.selectors import get_cadre_for_user
from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.dispatch.models import FrontlineKind
from frontline.dispatch.selectors import campaign_list, get_campaign_for_user, role_list
from frontline.org.selectors import unit_list
from frontline.posts.models import PostKind
from frontline.posts.selectors import post_list

GROUP_LABELS = {
    "": gettext_lazy("同类排名（同角色同阵地类型）"),
    "unit": gettext_lazy("单位内排名"),
    "role": gettext_lazy("角色内排名"),
    "kind": gettext_lazy("阵地类型内排名"),
}


MAX_FORM_ROWS = 30  # dimensions, inputs per dimension or classes a scheme form accepts


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
        raise PermissionDenied


def _form_error(form: Any, exc: ApplicationError) -> None:
    """Attach a service error to the form: field errors to their fields, the rest on top."""
    errors = exc.extra.get("errors") if isinstance(exc.extra.get("errors"), dict) else None
    if errors:
        for name, message in errors.items():
            form.add_error(name if name in form.fields else None, str(message))
    else:
        form.add_error(None, exc.message)


def _formula(source: str, indicator: str) -> str:
    """Return the documented formula of an input: the ledger indicator's, or the source's."""
    try:
        return str(input_doc(source, indicator).formula)
    except KeyError:
        return ""


def _input_label(item: dict[str, Any]) -> str:
    source = item.get("source", "")
    if source == InputSource.INDICATOR and item.get("indicator") in Indicator.values:
        return str(Indicator(item["indicator"]).label)
    label = str(InputSource(source).label) if source in InputSource.values else str(source)
    if source == InputSource.STAKEHOLDER and item.get("rater_kind") in RaterKind.values:
        label += f"（{RaterKind(item['rater_kind']).label}）"
    return label


def _dimension_rows(score: CadreScore) -> list[dict[str, Any]]:
    """Return the breakdown prepared for the page: labels, formulas and the evidence link of each input."""
    rows = []
    for d_index, dimension in enumerate((score.breakdown or {}).get("dimensions") or []):
        inputs = []
        for i_index, item in enumerate(dimension.get("inputs") or []):
            normalization = item.get("normalization", "")
            inputs.append(
                {
                    **item,
                    "label": _input_label(item),
                    "formula": _formula(item.get("source", ""), item.get("indicator", "")),
                    "normalization_label": (
                        str(Normalization(normalization).label) if normalization in Normalization.values else ""
                    ),
                    "missing": item.get("raw") is None and item.get("normalized") is None,
                    "evidence_url": reverse("appraisal:score_evidence", args=[score.pk, d_index, i_index]),
                }
            )
        rows.append({**dimension, "inputs": inputs})
    return rows


def _band_labels(scheme: AppraisalScheme) -> dict[str, str]:
    return {str(b.get("code", "")): str(b.get("label", "")) for b in scheme.bands or []}


def _labelled(scores: Any, scheme: AppraisalScheme) -> list[CadreScore]:
    """Return the scores with `band_label` and `kind_label` for the page."""
    bands = _band_labels(scheme)
    kinds = dict(FrontlineKind.choices)
    rows = list(scores)
    for s in rows:
        s.band_label = bands.get(s.band, s.band)  # type: ignore[attr-defined]
        s.kind_label = str(kinds.get(s.frontline_kind, s.frontline_kind))  # type: ignore[attr-defined]
    return rows


def _nominate_url(cadre: Cadre) -> str:
    """Return the reserve pool's nomination page with the cadre chosen ("" without the talent app)."""
    try:
        return f"{reverse('talent:reserve_nominate')}?cadre={cadre.pk}"
    except NoReverseMatch:
        return ""


# --- Index and schemes ---------------------------------------------------------------------------


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """The schemes of the campaigns in scope with their latest periods; a cadre's own link."""
    user = _user(request)
    page = paginate(request, selectors.scheme_list(user=user))
    context = {
        "page": page,
        "qs": querystring_without_page(request),
        "periods": selectors.period_list(user=user)[:20],
        "my_cadre": selectors.my_cadre(user=user),
    }
    return render(request, "appraisal/index.html", context)


@login_required
def scheme_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    campaigns = campaign_list(user=user)
    form = SchemeCreateForm(
        request.POST or None, campaigns=campaigns, initial={"campaign": _int(request.GET.get("campaign"))}
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(
                actor=user, campaign=form.cleaned_data["campaign"], name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已按默认六个维度创建考核方案，可继续调整。"))
            return redirect(scheme)
    return render(request, "appraisal/scheme_create.html", {"form": form})


@login_required
def scheme_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.get_scheme_for_user(user=user, pk=pk)
    dimensions = selectors.scheme_dimensions(scheme)
    for dimension in dimensions:
        dimension.input_rows = [  # type: ignore[attr-defined]
            {"input": item, "formula": _formula(item.source, item.indicator)} for item in dimension.inputs.all()
        ]
    context = {
        "scheme": scheme,
        "dimensions": dimensions,
        "total_weight": sum((d.weight for d in dimensions), start=0),
        "periods": selectors.period_list(user=user, scheme_id=scheme.pk)[:24],
        "versions": selectors.scheme_list(user=user, campaign_id=scheme.campaign_id).filter(name=scheme.name),
        "period_form": PeriodCreateForm(
            schemes=selectors.scheme_list(user=user, campaign_id=scheme.campaign_id), initial={"scheme": scheme.pk}
        ),
    }
    return render(request, "appraisal/scheme_detail.html", context)


def _posted_rows(data: Any, pattern: str) -> int:
    """Return 1 + the highest row number posted for fields like `d3_name` (0 when none)."""
    numbers = [int(m.group(1)) for key in (data or {}) if (m := re.fullmatch(pattern, key))]
    return min(max(numbers, default=-1) + 1, MAX_FORM_ROWS)


def _scheme_form(scheme: AppraisalScheme, data: Any = None) -> SchemeForm:
    """Return the edit form: the scheme's rows plus an empty one (or as many rows as were posted)."""
    dimensions = selectors.scheme_dimensions(scheme)
    most_inputs = max((len(d.inputs.all()) for d in dimensions), default=0)
    return SchemeForm(
        data,
        dimension_rows=max(len(dimensions) + 1, _posted_rows(data, r"d(\d+)_name")),
        input_rows=max(most_inputs + 1, 2, _posted_rows(data, r"d\d+_in(\d+)_source")),
        band_rows=max(len(scheme.bands or []) + 1, _posted_rows(data, r"b(\d+)_label")),
        initial=SchemeForm.initial_for(scheme, dimensions),
    )


@login_required
def scheme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit dimensions, weights and inputs; a frozen scheme is refused with the offer of a new version."""
    user = _user(request)
    scheme = selectors.get_scheme_for_user(user=user, pk=pk)
    _require_edit(request)
    form = _scheme_form(scheme, request.POST or None)
    frozen = scheme.frozen
    if request.method == "POST" and not frozen and form.is_valid():
        dimensions = form.dimensions()
        errors = services.validate_dimensions(dimensions)
        for message in errors.values():
            form.add_error(None, message)
        if not errors:
            d = form.cleaned_data
            try:
                scheme = services.scheme_update(
                    actor=user,
                    scheme=scheme,
                    expected_version=d["version"] or scheme.version,
                    name=d["name"],
                    dimensions=dimensions,
                    bands=form.bands(),
                    project_weights=(
                        d["project_weight_progress"],
                        d["project_weight_quality"],
                        d["project_weight_service"],
                    ),
                    red_flag_count=d["red_flag_count"],
                )
            except ApplicationError as exc:
                if exc.code == "frozen":
                    frozen = True
                _form_error(form, exc)
            else:
                messages.success(request, _("考核方案已保存。"))
                return redirect(scheme)
    return render(request, "appraisal/scheme_form.html", {"scheme": scheme, "form": form, "frozen": frozen})


@login_required
@require_POST
def scheme_new_version_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    scheme = selectors.get_scheme_for_user(user=user, pk=pk)
    _require_edit(request)
    try:
        new = services.scheme_new_version(actor=user, scheme=scheme)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(scheme)
    messages.success(request, _("已另存为第 %(n)d 版，可在此修改。") % {"n": new.version_number})
    return redirect("appraisal:scheme_edit", pk=new.pk)


# --- Periods -------------------------------------------------------------------------------------


@login_required
def campaign_periods_view(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """A campaign's periods, and the form to create one."""
    user = _user(request)
    campaign = get_campaign_for_user(user=user, pk=campaign_pk)
    schemes = selectors.scheme_list(user=user, campaign_id=campaign.pk)
    form = PeriodCreateForm(request.POST or None, schemes=schemes, initial={"scheme": _int(request.GET.get("scheme"))})
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                period = services.period_create(
                    actor=user, scheme=d["scheme"], kind=d["kind"], start_date=d["start_date"]
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已创建考核期“%(label)s”，方案已冻结。") % {"label": period.label})
                return redirect(period)
    page = paginate(request, selectors.period_list(user=user, campaign_id=campaign.pk))
    context = {
        "campaign": campaign,
        "schemes": schemes,
        "page": page,
        "qs": querystring_without_page(request),
        "form": form,
    }
    return render(request, "appraisal/period_list.html", context)


def _score_filters(request: HttpRequest) -> selectors.ScoreFilters:
    kind = request.GET.get("kind", "")
    group = request.GET.get("group", "")
    return selectors.ScoreFilters(
        role_id=_int(request.GET.get("role")),
        kind=kind if kind in FrontlineKind.values else "",
        unit_id=_int(request.GET.get("unit")),
        band=request.GET.get("band", "")[:20],
        q=request.GET.get("q", "").strip()[:50],
        flagged=request.GET.get("flagged") == "1",
        group=group if group in selectors.RANK_GROUPS else "",
    )


def _filter_context(user: User, period: AppraisalPeriod, f: selectors.ScoreFilters) -> dict[str, Any]:
    return {
        "filters": f,
        "roles": role_list(),
        "kinds": FrontlineKind.choices,
        "units": unit_list(user=user).select_related(None).only("id", "name")[:300],
        "band_choices": [(str(b.get("code", "")), b.get("label", "")) for b in period.scheme.bands or []],
        "groups": [(key, str(label)) for key, label in GROUP_LABELS.items()],
        "group_label": str(GROUP_LABELS[f.group]),
    }


@login_required
def period_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The review page: status and progress, classes, the scores with ranks, bands and flags."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    f = _score_filters(request)
    page = paginate(request, selectors.score_list(user=user, period=period, filters=f))
    page.object_list = _labelled(page.object_list, period.scheme)
    context = {
        "period": period,
        "campaign": period.scheme.campaign,
        "page": page,
        "qs": querystring_without_page(request),
        "bands": selectors.band_counts(user=user, period=period),
        "open_flags": selectors.flag_list(user=user, period=period, status=FlagStatus.OPEN).count(),
        "can_edit": access_for(user).can_edit,
        "show_adjust": access_for(user).can_edit and period.status == PeriodStatus.COMPUTED,
        "can_compute": period.status in (PeriodStatus.DRAFT, PeriodStatus.COMPUTED, PeriodStatus.FAILED),
        "is_computing": period.status == PeriodStatus.COMPUTING,
        **_filter_context(user, period, f),
    }
    return render(request, "appraisal/period_detail.html", context)


@login_required
def period_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial; once the computation has finished, tell HTMX to reload the page."""
    period = selectors.get_period_for_user(user=_user(request), pk=pk)
    if period.status != PeriodStatus.COMPUTING and request.headers.get("HX-Request"):
        return HttpResponseClientRefresh()
    return render(request, "appraisal/_period_status.html", {"period": period})


@login_required
@require_POST
def period_compute_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    _require_edit(request)
    try:
        services.period_compute_start(actor=user, period=period)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(period)


@login_required
def period_lock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then lock: from then on the period's scores never change."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    _require_edit(request)
    form = LockForm(request.POST or None, initial={"version": period.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.period_lock(actor=user, period=period, expected_version=form.cleaned_data["version"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("考核期已锁定，得分不再变动。"))
        return redirect(period)
    context = {
        "period": period,
        "form": form,
        "score_count": period.scores.count(),
        "open_flags": period.flags.filter(status=FlagStatus.OPEN).count(),
    }
    return render(request, "appraisal/period_lock.html", context)


@login_required
def rankings_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Rankings within the period: overall, within a home unit, role or frontline kind; classes."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    f = _score_filters(request)
    page = paginate(request, selectors.score_list(user=user, period=period, filters=f))
    page.object_list = _labelled(page.object_list, period.scheme)
    context = {
        "period": period,
        "campaign": period.scheme.campaign,
        "page": page,
        "qs": querystring_without_page(request),
        "bands": selectors.band_counts(user=user, period=period, filters=f),
        **_filter_context(user, period, f),
    }
    return render(request, "appraisal/rankings.html", context)


@login_required
def rankings_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking with the page's filters as an .xlsx file; audited as an export."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    if not access_for(user).can_export:
        raise PermissionDenied
    f = _score_filters(request)
    scores = selectors.score_list(user=user, period=period, filters=f)[:600_000]
    content = ranking_xlsx(period, scores.iterator(chunk_size=2000), group_label=str(GROUP_LABELS[f.group]))
    audit(
        actor=user, action=AuditAction.EXPORT, obj=period, note=_("导出考核排名") + " " + request.GET.urlencode()[:400]
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"appraisal-{period.pk}-{period.start_date:%Y%m}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def projects_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project ranking (红旗项目) with its trend, and the inspection group's progress/quality form."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    posts = post_list(user=user, kind=PostKind.PROJECT).order_by("-is_key", "name")
    form = ProjectAssessmentForm(request.POST or None, posts=posts)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.project_assessment_record(
                    actor=user,
                    period=period,
                    post=d["post"],
                    progress_score=d["progress_score"],
                    quality_score=d["quality_score"],
                    notes=d["notes"],
                )
                services.project_ranking_compute(period=period)
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("已记录“%(post)s”的进度和质量得分，排名已更新。") % {"post": d["post"].name}
                )
                return redirect("appraisal:projects", pk=period.pk)
    assessments = list(selectors.project_ranking(period=period))
    for a in assessments:
        a.trend = selectors.trend(a)  # type: ignore[attr-defined]
    context = {
        "period": period,
        "campaign": period.scheme.campaign,
        "assessments": assessments,
        "form": form,
        "can_edit": access_for(user).can_edit and not period.is_locked,
    }
    return render(request, "appraisal/projects.html", context)


# --- Integrity flags -----------------------------------------------------------------------------


@login_required
def flags_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's integrity flags for the inspection group, each with its rows and a review form."""
    user = _user(request)
    period = selectors.get_period_for_user(user=user, pk=pk)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    page = paginate(
        request,
        selectors.flag_list(user=user, period=period, status=status, kind=kind if kind in FlagKind.values else ""),
    )
    context = {
        "period": period,
        "campaign": period.scheme.campaign,
        "page": page,
        "qs": querystring_without_page(request),
        "status": status,
        "kind": kind,
        "statuses": FlagStatus.choices,
        "kinds": FlagKind.choices,
        "review_form": FlagReviewForm(),
        "can_review": access_for(user).can_edit and not period.is_locked,
    }
    return render(request, "appraisal/flags.html", context)


@login_required
@require_POST
def flag_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    flag = selectors.get_flag_for_user(user=user, pk=pk)
    _require_edit(request)
    form = FlagReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("appraisal:flags", pk=flag.period_id)
    try:
        services.flag_review(
            actor=user, flag=flag, status=FlagStatus(form.cleaned_data["status"]), note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录核查结论：%(cadre)s。") % {"cadre": flag.cadre.name})
    return redirect("appraisal:flags", pk=flag.period_id)


# --- A cadre's score -----------------------------------------------------------------------------


@login_required
def score_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every dimension, its inputs and formula, raw numerator/denominator, normalized value; each
    figure links to the rows behind it."""
    user = _user(request)
    score = selectors.get_score_for_user(user=user, pk=pk)
    period = score.period
    access = access_for(user)
    context = {
        "score": score,
        "period": period,
        "cadre": score.cadre,
        "dimensions": _dimension_rows(score),
        "breakdown": score.breakdown or {},
        "band_label": _band_labels(period.scheme).get(score.band, score.band),
        "normalizations": [(str(label), str(NORMALIZATION_DOCS[value])) for value, label in Normalization.choices],
        "adjustments": score.adjustments.select_related("actor"),
        "flags": selectors.flag_list(user=user, period=period).filter(cadre=score.cadre),
        "can_see_period": selectors.can_see_period(user=user, period_id=period.pk),
        "can_adjust": access.can_edit and not period.is_locked and period.status == PeriodStatus.COMPUTED,
        "can_edit": access.can_edit,
        "is_own": score.cadre.user_id == user.pk,
        "nominate_url": _nominate_url(score.cadre) if access.can_edit else "",
    }
    return render(request, "appraisal/score_detail.html", context)


@login_required
def score_evidence_view(request: HttpRequest, pk: int, dimension: int, item: int) -> HttpResponse:
    """The rows behind one figure of a score: problems, ratings, inspections, suggestions …"""
    user = _user(request)
    score = selectors.get_score_for_user(user=user, pk=pk)
    evidence = selectors.score_evidence(score=score, dimension_index=dimension, input_index=item)
    context = {
        "score": score,
        "period": score.period,
        "cadre": score.cadre,
        "evidence": evidence,
        "label": _input_label(evidence.item),
        "formula": _formula(evidence.item.get("source", ""), evidence.item.get("indicator", "")),
        "page": paginate(request, evidence.rows),
        "qs": querystring_without_page(request),
    }
    return render(request, "appraisal/score_evidence.html", context)


@login_required
def score_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a reviewed total with a recorded reason (before the period is locked)."""
    user = _user(request)
    score = selectors.get_score_for_user(user=user, pk=pk)
    selectors.get_period_for_user(user=user, pk=score.period_id)
    _require_edit(request)
    form = AdjustForm(request.POST or None, initial={"new_total": score.total})
    if request.method == "POST" and form.is_valid():
        try:
            services.score_adjust(
                actor=user, score=score, new_total=form.cleaned_data["new_total"], reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已调整 %(cadre)s 的得分。") % {"cadre": score.cadre.name})
            return redirect(score)
    return render(request, "appraisal/score_adjust.html", {"score": score, "period": score.period, "form": form})


@login_required
def my_scores_view(request: HttpRequest) -> HttpResponse:
    """我的考核: a logged-in cadre's own scores, the latest with its breakdown."""
    user = _user(request)
    cadre = selectors.my_cadre(user=user)
    scores = list(selectors.my_scores(user=user)[:24]) if cadre else []
    latest = scores[0] if scores else None
    context = {
        "cadre": cadre,
        "scores": scores,
        "latest": latest,
        "dimensions": _dimension_rows(latest) if latest else [],
        "suggestion_form": SuggestionForm(),
    }
    return render(request, "appraisal/my_scores.html", context)


# --- The performance record (实绩清单) -----------------------------------------------------------


def _may_annotate(user: User, cadre: Cadre) -> bool:
    return access_for(user).can_edit or cadre.user_id == user.pk


@login_required
def performance_view(request: HttpRequest, cadre_pk: int) -> HttpResponse:
    """The cadre's performance record, built from resolved problems, concluded matchmakings and
    adopted suggestions, with annotations; and the cadre's scores over the periods."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_pk)
    form = PerformanceNoteForm(request.POST or None)
    if request.method == "POST":
        if not _may_annotate(user, cadre):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.performance_note_add(
                    actor=user, cadre=cadre, text=d["text"], entry_key=d["entry_key"], occurred_on=d["occurred_on"]
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已添加备注。"))
                return redirect("appraisal:performance", cadre_pk=cadre.pk)
    entries = performance_record(cadre=cadre)
    context = {
        "cadre": cadre,
        "entries": entries,
        "scores": selectors.cadre_scores(user=user, cadre=cadre)[:24],
        "form": form,
        "can_annotate": _may_annotate(user, cadre),
        "can_edit": access_for(user).can_edit,
    }
    return render(request, "appraisal/performance.html", context)


# --- Evidence entry ------------------------------------------------------------------------------


@login_required
def inspection_create_view(request: HttpRequest, cadre_pk: int) -> HttpResponse:
    """The inspection group's visit: 看任务完成度、听企业评价、查台账记录, with 四不两直."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_pk)
    _require_edit(request)
    campaigns = campaign_list(user=user)
    initial = {"campaign": _int(request.GET.get("campaign")), "inspected_on": timezone.localdate()}
    form = InspectionForm(request.POST or None, campaigns=campaigns, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.inspection_create(
                actor=user,
                campaign=d["campaign"],
                cadre=cadre,
                inspected_on=d["inspected_on"],
                task_completion=d["task_completion"],
                enterprise_evaluation=d["enterprise_evaluation"],
                ledger_check=d["ledger_check"],
                unannounced=d["unannounced"],
                notes=d["notes"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记对 %(cadre)s 的督查评分。") % {"cadre": cadre.name})
            return redirect("appraisal:performance", cadre_pk=cadre.pk)
    recent = selectors.inspection_list(user=user, cadre_id=cadre.pk)[:10]
    return render(request, "appraisal/inspection_form.html", {"cadre": cadre, "form": form, "recent": recent})


@login_required
def rating_create_view(request: HttpRequest, cadre_pk: int) -> HttpResponse:
    """An enterprise's, resident's or colleague's rating of a cadre."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_pk)
    _require_edit(request)
    campaigns = campaign_list(user=user)
    initial = {"campaign": _int(request.GET.get("campaign")), "rated_on": timezone.localdate()}
    form = StakeholderRatingForm(request.POST or None, campaigns=campaigns, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.stakeholder_rating_create(
                actor=user,
                campaign=d["campaign"],
                cadre=cadre,
                rater_kind=d["rater_kind"],
                score=d["score"],
                rated_on=d["rated_on"],
                comment=d["comment"],
                rater_name=d["rater_name"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记对 %(cadre)s 的评价。") % {"cadre": cadre.name})
            return redirect("appraisal:performance", cadre_pk=cadre.pk)
    recent = selectors.stakeholder_rating_list(user=user, cadre_id=cadre.pk)[:10]
    return render(request, "appraisal/rating_form.html", {"cadre": cadre, "form": form, "recent": recent})


@login_required
def suggestion_list_view(request: HttpRequest) -> HttpResponse:
    """Suggestions of the cadres in scope; the inspection group adopts them here."""
    user = _user(request)
    adopted = {"1": True, "0": False}.get(request.GET.get("adopted", ""))
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.suggestion_list(user=user, adopted=adopted, q=q))
    context = {
        "page": page,
        "qs": querystring_without_page(request),
        "adopted": request.GET.get("adopted", ""),
        "q": q,
        "adopt_form": AdoptForm(),
        "can_adopt": access_for(user).can_edit,
    }
    return render(request, "appraisal/suggestion_list.html", context)


@login_required
def suggestion_create_view(request: HttpRequest, cadre_pk: int) -> HttpResponse:
    """A suggestion by (or on behalf of) a cadre."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=cadre_pk)
    if not _may_annotate(user, cadre):
        raise PermissionDenied
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_create(
                actor=user, cadre=cadre, title=form.cleaned_data["title"], content=form.cleaned_data["content"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("建议已提交。"))
            if cadre.user_id == user.pk:
                return redirect("appraisal:my_scores")
            return redirect("appraisal:performance", cadre_pk=cadre.pk)
    return render(request, "appraisal/suggestion_form.html", {"cadre": cadre, "form": form})


@login_required
def suggestion_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A suggestion: its content, the cadre, whether (when, by whom, why) it was adopted, and the
    notes on it in the performance record; the inspection group adopts it here."""
    user = _user(request)
    suggestion = selectors.get_suggestion_for_user(user=user, pk=pk)
    context = {
        "suggestion": suggestion,
        "cadre": suggestion.cadre,
        "notes": selectors.suggestion_notes(suggestion=suggestion),
        "adopt_form": AdoptForm(),
        "can_adopt": access_for(user).can_edit and not suggestion.adopted,
    }
    return render(request, "appraisal/suggestion_detail.html", context)


@login_required
@require_POST
def suggestion_adopt_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    suggestion = selectors.get_suggestion_for_user(user=user, pk=pk)
    _require_edit(request)
    form = AdoptForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.suggestion_adopt(actor=user, suggestion=suggestion, note=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已采纳“%(title)s”，计入实绩清单。") % {"title": suggestion.title})
    if request.POST.get("next") == "detail":
        return redirect(suggestion)
    return redirect("appraisal:suggestion_list")
