"""Retrying a failed move of an asset's originals from the asset page or the archive list."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from archive.tier import services
from assets.selectors import access_asset
from dam.errors import StateConflict
from dam.http import AuthedHttpRequest


@login_required
@require_POST
def tier_retry(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid, "archive")
    try:
        services.tier_move_retry(asset=asset, actor=request.user)
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Trying again to move the originals of “{asset.title}”.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect(asset)
