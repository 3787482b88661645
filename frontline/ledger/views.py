"""Pages for the ledger."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def problem_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/problem_list.html", {})
