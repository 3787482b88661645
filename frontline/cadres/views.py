"""Pages for the cadre registry."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontline.cadres.selectors import cadre_list, get_cadre_for_user
from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def cadre_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = paginate(request, cadre_list(user=_user(request), q=q))
    return render(request, "cadres/cadre_list.html", {"page": page, "q": q, "qs": querystring_without_page(request)})


@login_required
def cadre_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = get_cadre_for_user(user=_user(request), pk=pk)
    return render(request, "cadres/cadre_detail.html", {"cadre": cadre})
