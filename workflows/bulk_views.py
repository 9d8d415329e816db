"""Sending many assets into review at once: the selection from the asset list or an upload batch."""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assets import selectors as asset_selectors
from assets.models import Asset
from dam.http import AuthedHttpRequest
from workflows.forms import BulkSubmitForm
from workflows.services import bulk


def _selected(request: AuthedHttpRequest) -> list[Asset]:
    """The posted uids that name assets this user sees (others are left out, as if never sent)."""
    uids = []
    for raw in request.POST.getlist("uids"):
        try:
            uids.append(uuid.UUID(raw))
        except ValueError:
            continue
    return list(asset_selectors.assets_visible_to(request.user).filter(uid__in=uids).order_by("title", "id"))


@login_required
@require_POST
def bulk_submit(request: AuthedHttpRequest) -> HttpResponse:
    """First post (the selection): what can go and why the rest cannot. With `confirm`: send them, one note for
    all; whatever could not go is listed again with its reason and the note kept."""
    assets = _selected(request)
    form = BulkSubmitForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    sent: list[Asset] = []
    if "confirm" in request.POST and form.is_valid():
        result = bulk.assets_submit(assets=assets, actor=request.user, comment=form.cleaned_data["comment"])
        sent = result.ready
        if sent:
            messages.success(request, f"{len(sent)} asset{'s' if len(sent) != 1 else ''} sent for review.")
        if not result.refused and sent:
            return redirect(back or "workflows:submissions")
        readiness = bulk.Readiness(refused=result.refused)
    else:
        readiness = bulk.submit_readiness(assets=assets, actor=request.user)
    return render(request, "workflows/bulk_submit.html", {
        "title": "Submit for review", "form": form, "readiness": readiness, "sent": sent, "next": back,
        "selected": [a for a in assets if a not in sent],
    }, status=400 if sent == [] and "confirm" in request.POST and readiness.refused else 200)
