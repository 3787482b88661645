"""Pages for units and regions: browse, and for those allowed, add and change."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.org.forms import RegionCreateForm, RegionEditForm, UnitForm
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, RegionLevel, UnitKind
from frontline.org.selectors import (
    get_region,
    get_unit_for_user,
    region_ancestors,
    region_list,
    unit_list,
)
from frontline.org.services import OrgValidationError, region_create, region_update, unit_create, unit_update


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_region_admin(request: HttpRequest) -> None:
    if not access_for(_user(request)).can_admin_org:
        raise PermissionDenied(_("您的角色无权维护行政区划。"))


def _require_unit_editor(request: HttpRequest) -> None:
    access = access_for(_user(request))
    if not (access.can_admin_org or access.can_edit):
        raise PermissionDenied(_("您的角色无权维护单位。"))


def _form_error(form: Any, exc: ApplicationError) -> None:
    """Attach a service error to the form: field errors to their fields, the rest on top."""
    if isinstance(exc, OrgValidationError):
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


def _region_or_404(code: str) -> Region:
    region = get_region(code)
    if region is None:
        raise Http404
    return region


# --- units ------------------------------------------------------------------------------------


@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in UnitKind.values:
        kind = ""
    page = paginate(request, unit_list(user=_user(request), q=q, kind=kind))
    return render(
        request,
        "org/unit_list.html",
        {"page": page, "q": q, "kind": kind, "kinds": UnitKind.choices, "qs": querystring_without_page(request)},
    )


@login_required
def unit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = get_unit_for_user(user=user, pk=pk)
    children = unit_list(user=user).filter(parent=unit)
    parent_visible = unit.parent_id is not None and unit_list(user=user).filter(pk=unit.parent_id).exists()
    return render(
        request, "org/unit_detail.html", {"unit": unit, "children": children, "parent_visible": parent_visible}
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_unit_editor(request)
    initial: dict[str, Any] = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        parent = get_unit_for_user(user=user, pk=int(parent_id))
        initial = {"parent": parent.pk, "region": parent.region_id}
    elif user.unit is not None:
        initial = {"parent": user.unit.pk, "region": user.unit.region_id}
    form = UnitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = unit_create(actor=user, name=d["name"], region=d["region"], parent=d["parent"], kind=d["kind"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新增单位“%(name)s”。") % {"name": unit.name})
            return redirect(unit)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = get_unit_for_user(user=user, pk=pk)
    _require_unit_editor(request)
    form = UnitForm(request.POST or None, user=user, unit=unit, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = unit_update(
                actor=user, unit=unit, name=d["name"], region=d["region"], parent=d["parent"], kind=d["kind"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(unit)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


# --- regions ----------------------------------------------------------------------------------


@login_required
def region_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    rows = region_list(q=q) if q else region_list(parent_code="")
    page = paginate(request, rows)
    return render(request, "org/region_list.html", {"page": page, "q": q, "qs": querystring_without_page(request)})


@login_required
def region_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_or_404(code)
    if region.code != code:
        return redirect(region)
    page = paginate(request, region_list(parent_code=region.code))
    context: dict[str, Any] = {
        "region": region,
        "ancestors": region_ancestors(region),
        "page": page,
        "qs": querystring_without_page(request),
        "can_have_children": region.level < RegionLevel.VILLAGE,
    }
    if access_for(_user(request)).can_admin_org:
        context["edit_form"] = RegionEditForm(initial=RegionEditForm.initial_for(region))
    return render(request, "org/region_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def region_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    _require_region_admin(request)
    region = _region_or_404(code)
    form = RegionEditForm(request.POST or None, initial=RegionEditForm.initial_for(region))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            region = region_update(
                actor=_user(request),
                region=region,
                name=d["name"],
                is_functional_zone=d["is_functional_zone"],
                is_active=d["is_active"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(region)
    return render(request, "org/region_form.html", {"form": form, "region": region, "parent": None})


@login_required
@require_http_methods(["GET", "POST"])
def region_create_view(request: HttpRequest) -> HttpResponse:
    _require_region_admin(request)
    parent = get_region(request.GET.get("parent", "")) if request.GET.get("parent") else None
    initial: dict[str, Any] = {}
    if parent is not None and parent.level < RegionLevel.VILLAGE:
        initial["code"] = parent.code[: LEVEL_PREFIX_LENGTH[parent.level]]
    form = RegionCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            region = region_create(
                actor=_user(request), code=d["code"], name=d["name"], is_functional_zone=d["is_functional_zone"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("已新增区划“%(name)s”（%(code)s）。") % {"name": region.name, "code": region.code}
            )
            return redirect(region)
    return render(request, "org/region_form.html", {"form": form, "region": None, "parent": parent})
