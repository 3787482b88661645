"""Pages for imports."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def import_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "excel/import_list.html", {})


@login_required
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "excel/import_list.html", {})
