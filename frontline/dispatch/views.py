"""Pages for campaigns, deployments and matching."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "dispatch/campaign_list.html", {})
