"""The archive: what was taken out of use, and archiving / restoring one asset."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from archive import selectors, services
from archive.tier.selectors import tier_statuses
from assets.originals import archive_tier_configured
from assets.selectors import access_asset, with_shown_versions
from dam.errors import StateConflict
from dam.http import AuthedHttpRequest


@login_required
def archive_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ARCHIVE)
    page = Paginator(selectors.archived_assets(request.user), 48).get_page(request.GET.get("page"))
    with_shown_versions(request.user, page)
    statuses = tier_statuses(page)  # where each one's originals are (archive.tier), in two queries
    for asset in page:
        asset.tier_status = statuses[asset.pk]  # type: ignore[attr-defined]  # for the template, as .shown
    return render(request, "archive/archive_list.html", {
        "title": "Archive", "page": page,
        "show_tier": archive_tier_configured() or any(status.message for status in statuses.values())})


@login_required
@require_POST
def asset_archive(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid, "archive")
    try:
        services.asset_archive(asset=asset, actor=request.user, reason=request.POST.get("reason", "")[:500])
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{asset.title}” was archived. It can be restored from the archive.")
    return redirect(asset)


@login_required
@require_POST
def asset_restore(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid, "restore")
    try:
        services.asset_restore(asset=asset, actor=request.user)
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{asset.title}” was restored.")
    return redirect(asset)
