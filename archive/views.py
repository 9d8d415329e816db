"""The archive: what was taken out of use, archiving / restoring one asset, and archiving a selection."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from archive import selectors, services
from archive.tier.selectors import tier_statuses
from assets.originals import archive_tier_configured
from assets.selectors import access_asset, live_assets_visible_to, with_shown_versions
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


@login_required
@require_POST
def archive_selected(request: AuthedHttpRequest) -> HttpResponse:
    """Archive the assets ticked on another page (the analytics page's "Never downloaded"): the first POST
    shows what would be archived and asks to confirm; the second (`confirm`) archives them and goes back."""
    authority.require(request.user, Cap.ARCHIVE)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("archive:list")
    uids = [uid for uid in request.POST.getlist("uids") if uid][:500]
    try:
        chosen = list(live_assets_visible_to(request.user).filter(uid__in=uids, archived_at__isnull=True)
                      .select_related("collection").order_by("title"))
    except ValidationError:  # a value that is not a UUID: nothing of it can be archived
        chosen = []
    allowed = [asset for asset in chosen if authority.can(request.user, "archive", asset)]
    if not allowed:
        messages.error(request, "None of the selected assets can be archived by you: choose some first.")
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        return render(request, "archive/archive_selected.html", {
            "title": "Archive selected assets", "assets": allowed, "skipped": len(set(uids)) - len(allowed),
            "next": back})
    archived = services.assets_archive(assets=allowed, actor=request.user,
                                       reason=request.POST.get("reason", "")[:500])
    messages.success(request, f"{archived} asset{'s' if archived != 1 else ''} archived. They can be restored "
                              f"from the archive.")
    return redirect(back)
