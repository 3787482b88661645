"""Pages for units and regions."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from frontline.core.models import User
from frontline.core.pagination import paginate, querystring_without_page
from frontline.org.models import Region
from frontline.org.selectors import get_unit_for_user, region_ancestors, region_list, unit_list


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def unit_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = paginate(request, unit_list(user=_user(request), q=q))
    return render(request, "org/unit_list.html", {"page": page, "q": q, "qs": querystring_without_page(request)})


@login_required
def unit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(user=_user(request), pk=pk)
    children = unit_list(user=_user(request)).filter(parent=unit)
    return render(request, "org/unit_detail.html", {"unit": unit, "children": children})


@login_required
def region_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    rows = region_list(q=q) if q else region_list(parent_code="")
    page = paginate(request, rows)
    return render(request, "org/region_list.html", {"page": page, "q": q, "qs": querystring_without_page(request)})


@login_required
def region_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    page = paginate(request, region_list(parent_code=region.code))
    return render(
        request,
        "org/region_detail.html",
        {
            "region": region,
            "ancestors": region_ancestors(region),
            "page": page,
            "qs": querystring_without_page(request),
        },
    )
