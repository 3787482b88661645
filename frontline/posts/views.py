"""Pages for frontline posts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.posts.selectors import get_post_for_user, post_list


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def post_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    page = paginate(request, post_list(user=_user(request), q=q, kind=kind))
    return render(request, "posts/post_list.html", {"page": page, "q": q, "qs": querystring_without_page(request)})


@login_required
def post_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post_for_user(user=_user(request), pk=pk)
    return render(request, "posts/post_detail.html", {"post": post})
