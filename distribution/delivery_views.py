"""The public delivery URL (`/d/<uid>/<preset>/<name>`): what outside tools and web pages fetch."""
from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assets.models import Collection
from distribution import delivery, derivatives, downloads, link_previews, location
from distribution.models import DownloadEvent


def _refusal(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    response = render(request, "error.html", {"title": title, "message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _key(request: HttpRequest) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return request.GET.get("key") or None


@require_safe
def deliver(request: HttpRequest, uid: UUID, preset: str, filename: str = "") -> HttpResponseBase:
    asset = delivery.delivered_asset(uid)
    chosen = delivery.delivery_preset(preset)
    if asset is None or chosen is None:
        raise Http404("No such file.")
    try:
        integration = delivery.check_access(asset, chosen, exp=request.GET.get("exp"), sig=request.GET.get("sig"),
                                            key=_key(request))
    except delivery.DeliveryRefused as exc:
        return _refusal(request, 403, "Not allowed", str(exc))
    if not delivery.is_deliverable(asset) or asset.approved_version is None:
        return _refusal(request, 410, "No longer published",
                        "This file is no longer published (archived, out of its rights period or not yet released).")
    asset.approved_version.asset = asset  # loaded already: the recipe needs it
    try:
        derivative = derivatives.derivative_for(asset.approved_version, chosen)
    except derivatives.PresetUnavailable as exc:
        return _refusal(request, 404, "Not available", str(exc))
    if derivative.failed:
        return _refusal(request, 404, "Not available", f"{chosen.label} could not be made from this file.")
    if not derivative.ready:
        return downloads.preparing(derivative, api=False)
    tag = delivery.etag(asset, chosen, derivative.rendition.variant if derivative.rendition else "")
    # Public and signed URLs may sit in a shared cache (a CDN) for a few minutes and are then revalidated
    # by ETag; a key-only asset never goes to a shared cache.
    cache = "private, no-cache" if asset.collection.delivery == Collection.Delivery.TOKEN else "public, max-age=300"
    # The file has no <head> for the oEmbed discovery tag: unfurlers find the oEmbed by this header instead.
    discovery = link_previews.oembed_link_header(request.get_full_path())
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
        response["ETag"], response["Cache-Control"], response["Link"] = tag, cache, discovery
        return response
    try:
        answer = downloads.inline(derivative, etag=tag, cache_control=cache,
                                  filename=filename or delivery.file_name(asset, chosen))
    except location.LocationNotRemovable as exc:
        return _refusal(request, 403, "Not offered", str(exc))
    answer["Link"] = discovery
    if request.method == "GET":
        downloads.record(asset=asset, version=asset.approved_version, sent=chosen.name, preset=chosen.name,
                         channel=DownloadEvent.Channel.DELIVERY, integration=integration,
                         referer=request.headers.get("Referer", ""), own_host=request.get_host())
    return answer
