"""Pages for frontline posts: list with filters, detail, create, edit, delete."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.org.selectors import unit_list
from frontline.posts.forms import PostDeleteForm, PostForm
from frontline.posts.models import PostKind
from frontline.posts.selectors import (
    get_post_for_user,
    post_children,
    post_counts_by_kind,
    post_filters_from_query,
    post_list,
)
from frontline.posts.services import PARENT_KINDS, PostValidationError, post_create, post_delete, post_update

# The unit filter is a select; beyond this many units a person filters by region instead.
UNIT_FILTER_OPTIONS_LIMIT = 300


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_edit(request: HttpRequest) -> None:
    if not access_for(_user(request)).can_edit:
        raise PermissionDenied(_("您的角色无权编辑一线阵地。"))


def _form_error(form: PostForm, exc: ApplicationError) -> None:
    """Attach a service error to the form: field errors to their fields, the rest on top."""
    if isinstance(exc, PostValidationError):
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


@login_required
def post_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = post_filters_from_query(request.GET)
    region_code = request.GET.get("region", "").strip()
    page = paginate(request, post_list(user=user, **filters))
    units = list(unit_list(user=user).select_related(None).only("id", "name", "depth")[:UNIT_FILTER_OPTIONS_LIMIT])
    selected_unit = filters.get("unit_id")
    if selected_unit and all(u.pk != selected_unit for u in units):
        units += list(unit_list(user=user).select_related(None).filter(pk=selected_unit).only("id", "name", "depth"))
    is_key = filters.get("is_key")
    counts = post_counts_by_kind(user=user, **filters)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "kinds": PostKind.choices,
        "counts": counts,
        "total": sum(n for _kind, _label, n in counts),
        "units": units,
        "region_code": region_code,
        "region_missing": bool(region_code) and filters.get("region") is None,
        "is_key": "" if is_key is None else ("1" if is_key else "0"),
        "qs": querystring_without_page(request),
        "qs_without_kind": _querystring_without(request, "kind", "page"),
    }
    return render(request, "posts/post_list.html", context)


def _querystring_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
def post_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    post = get_post_for_user(user=user, pk=pk)
    parent_visible = post.parent_id is not None and post_list(user=user).filter(pk=post.parent_id).exists()
    child_kinds = [kind for kind, parents in PARENT_KINDS.items() if post.kind in parents]
    context = {
        "post": post,
        "children": post_children(user=user, post=post),
        "parent_visible": parent_visible,
        "child_kinds": [(kind, PostKind(kind).label) for kind in child_kinds],
    }
    return render(request, "posts/post_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_edit(request)
    initial: dict[str, Any] = {"unit": user.unit, "kind": request.GET.get("kind", PostKind.ENTERPRISE)}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        parent = get_post_for_user(user=user, pk=int(parent_id))
        initial |= {"parent": parent.pk, "unit": parent.unit, "region": parent.region_id}
    form = PostForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post = post_create(actor=user, data=form.to_data())
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新增阵地“%(name)s”。") % {"name": post.name})
            return redirect(post)
    return render(request, "posts/post_form.html", {"form": form, "post": None})


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    post = get_post_for_user(user=user, pk=pk)
    _require_edit(request)
    form = PostForm(request.POST or None, user=user, post=post, initial=PostForm.initial_for(post))
    if request.method == "POST" and form.is_valid():
        try:
            post = post_update(
                actor=user,
                post=post,
                data=form.to_data(),
                expected_version=form.cleaned_data["version"] or post.version,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(post)
    return render(request, "posts/post_form.html", {"form": form, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def post_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    post = get_post_for_user(user=user, pk=pk)
    _require_edit(request)
    form = PostDeleteForm(request.POST or None, initial={"version": post.version})
    if request.method == "POST" and form.is_valid():
        try:
            post_delete(actor=user, post=post, expected_version=form.cleaned_data["version"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(post)
        messages.success(request, _("已删除阵地“%(name)s”。") % {"name": post.name})
        return redirect("posts:list")
    return render(
        request,
        "posts/post_confirm_delete.html",
        {"post": post, "form": form, "child_count": post_children(user=user, post=post).count()},
    )
