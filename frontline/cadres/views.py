"""Pages for the cadre registry.

Rows come only through the selectors (a cadre outside the user's scope is a 404); writes go
only through the services. A role without the right flag gets 403 on an object it may see.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontline.cadres.forms import CadreFilterForm, CadreForm
from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_list, get_cadre_for_user
from frontline.cadres.services import (
    CadreValidationError,
    cadre_create,
    cadre_data_for,
    cadre_delete,
    cadre_reveal_sensitive,
    cadre_update,
)
from frontline.core.access import access_for
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx_fragment(request: HttpRequest) -> bool:
    """Return True for an htmx request that swaps part of the page (not a history restore)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _require_edit(request: HttpRequest) -> None:
    if not access_for(_user(request)).can_edit:
        raise PermissionDenied(_("您的角色无权修改干部信息。"))


def _add_service_errors(form: CadreForm, exc: ApplicationError) -> None:
    """Show a service's field errors on their fields and anything else above the form."""
    if isinstance(exc, CadreValidationError):
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


@login_required
def cadre_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filter_form = CadreFilterForm(request.GET, user=user)
    cadres = cadre_list(user=user, **filter_form.filters()).prefetch_related("expertise")
    context = {
        "page": paginate(request, cadres),
        "filter_form": filter_form,
        "qs": querystring_without_page(request),
    }
    template = "cadres/_cadre_table.html" if _is_htmx_fragment(request) else "cadres/cadre_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def cadre_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = get_cadre_for_user(user=_user(request), pk=pk)
    return render(request, "cadres/cadre_detail.html", {"cadre": cadre})


@never_cache
@login_required
@require_POST
def cadre_sensitive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the full ID and phone numbers (audited); roles without the flag get a 404."""
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=pk)
    if not access_for(user).can_view_sensitive:
        raise Http404
    revealed = cadre_reveal_sensitive(actor=user, cadre=cadre)
    if _is_htmx_fragment(request):
        return render(request, "cadres/_sensitive.html", {"cadre": cadre, "revealed": revealed})
    return render(request, "cadres/cadre_detail.html", {"cadre": cadre, "revealed": revealed})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    form = CadreForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            cadre = cadre_create(actor=user, data=form.cadre_data())
        except ApplicationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增干部 %(name)s。") % {"name": cadre.name})
            return redirect(cadre)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": None})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cadre = get_cadre_for_user(user=user, pk=pk)
    _require_edit(request)
    form = CadreForm(request.POST or None, user=user, cadre=cadre)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            updated = cadre_update(
                actor=user,
                cadre=cadre,
                data=form.cadre_data(current=cadre_data_for(cadre)),
                expected_version=form.cleaned_data["version"] or 0,
            )
        except ConflictError:
            # Show what is stored now; the person's typing is not saved over someone else's change.
            cadre = get_cadre_for_user(user=user, pk=pk)
            form = CadreForm(user=user, cadre=cadre)
            conflict = True
        except ApplicationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存干部 %(name)s 的信息。") % {"name": updated.name})
            return redirect(updated)
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "conflict": conflict})


@login_required
@require_http_methods(["GET", "POST"])
def cadre_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cadre: Cadre = get_cadre_for_user(user=user, pk=pk)
    _require_edit(request)
    error = ""
    if request.method == "POST":
        try:
            cadre_delete(actor=user, cadre=cadre)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("已删除干部 %(name)s。") % {"name": cadre.name})
            return redirect("cadres:list")
    return render(request, "cadres/cadre_confirm_delete.html", {"cadre": cadre, "error": error})
