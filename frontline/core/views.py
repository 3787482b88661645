"""Login, logout, the home page and the audit log."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.forms import LoginForm
from frontline.core.models import AuditAction, AuditLog, DataScope, User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.core.services import user_authenticate


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            return redirect(next_url or "core:home")
    if request.GET.get("idle"):
        messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
    return render(request, "core/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        assert isinstance(request.user, User)
        audit(actor=request.user, action=AuditAction.LOGOUT, obj=request.user)
    logout(request)
    return redirect("core:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from frontline.cadres.selectors import cadre_list
    from frontline.posts.selectors import post_counts_by_kind

    user = request.user
    assert isinstance(user, User)
    context = {
        "scope_label": DataScope(access_for(user).scope).label,
        "cadre_count": cadre_list(user=user).count(),
        "post_counts": post_counts_by_kind(user=user),
    }
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, readable only by the audit role."""
    user = request.user
    assert isinstance(user, User)
    if not access_for(user).can_audit:
        raise Http404
    rows = AuditLog.objects.all()
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q) | Q(note__icontains=q))
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        rows = rows.filter(action=action)
    page = paginate(request, rows)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "q": q,
            "action": action,
            "actions": AuditAction.choices,
            "qs": querystring_without_page(request),
        },
    )
