"""The home page (工作台): one dashboard per role, built by `selectors.dashboard_get`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parkcredit.dashboard.selectors import dashboard_get


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", {"dashboard": dashboard_get(actor=request.user)})
