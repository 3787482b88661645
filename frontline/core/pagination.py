"""Page lists the same way everywhere: ?page=N, fixed page size, total count shown."""

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page[Any]:
    """Return the requested page (invalid or out-of-range numbers give the nearest page)."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    """Return the current filters as a query string, without `page`, for pager links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
