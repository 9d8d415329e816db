"""Downloads for signed-in people: an asset in a preset from its page, a lightbox as a zip."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.text import slugify

from accounts import permissions as authority
from assets import downloads as asset_downloads
from assets import selectors as asset_selectors
from assets import views as asset_views
from dam.http import AuthedHttpRequest
from distribution import derivatives, downloads, lightboxes, zips
from distribution.models import DownloadEvent, Lightbox, Preset


@login_required
def asset_download(request: AuthedHttpRequest, uid: UUID) -> HttpResponseBase:
    """`/assets/<uid>/download/`: the original as a copy with the asset's rights written in; `?rendition=` of a
    standard rendition is the assets app's."""
    if request.GET.get("rendition", asset_downloads.ORIGINAL) != asset_downloads.ORIGINAL:
        return asset_views.asset_download(request, str(uid))
    asset = asset_selectors.access_asset(request.user, uid, "download")
    number = request.GET.get("version", "")
    if number.isdigit():
        version = asset_selectors.versions_of(request.user, asset).filter(number=int(number)).first()
    else:
        version = asset_selectors.version_shown_to(request.user, asset)
    if version is None:
        raise Http404("This asset has no version you may download.")
    return downloads.original_download(version, user=request.user)


@login_required
def preset_download(request: AuthedHttpRequest, uid: UUID, preset: str) -> HttpResponseBase:
    asset = asset_selectors.access_asset(request.user, uid, "download")
    version = asset_selectors.version_shown_to(request.user, asset)
    number = request.GET.get("version", "")
    if number.isdigit():
        version = asset_selectors.versions_of(request.user, asset).filter(number=int(number)).first()
    if version is None:
        raise Http404("No version you may download.")
    try:
        chosen = derivatives.preset_named(request.user, asset, preset)
    except Preset.DoesNotExist:
        raise Http404("No such preset for you.") from None
    try:
        derivative = derivatives.derivative_for(version, chosen)
    except derivatives.PresetUnavailable as exc:
        return render(request, "error.html", {"title": "Not available", "message": str(exc)}, status=409)
    if derivative.failed:
        return render(request, "error.html", {"title": "Not available", "message": f"{chosen.label} could not be "
                      f"made from this file: {derivative.rendition.error if derivative.rendition else ''}"},
                      status=409)
    if not derivative.ready:
        response: HttpResponse = render(request, "distribution/preparing.html", {
            "title": f"Preparing {chosen.label}", "asset": asset, "again": request.get_full_path()}, status=202)
        response["Retry-After"] = str(derivatives.RETRY_AFTER)
        return response
    answer = downloads.attachment(derivative, public=False)
    downloads.record(asset=asset, version=version, sent=chosen.name, preset=chosen.name, user=request.user,
                     channel=DownloadEvent.Channel.WEB)
    return answer


def lightbox_zip_plan(user: Any, lightbox: Lightbox, preset_name: str) -> tuple[Preset, zips.Plan]:
    """The lightbox's members the user may see, each in the preset (the version shown to them): a zip's plan.
    A restricted preset applies only to the members the user may edit; the others are left out, said why."""
    chosen = Preset.objects.filter(name=preset_name).select_related("watermark").first()
    if chosen is None:
        raise Preset.DoesNotExist(f"There is no preset “{preset_name}”.")
    members = lightboxes.members_visible_to(user, lightbox)
    allowed = [a for a in members if not chosen.restricted or authority.can(user, "edit", a)]
    plan = zips.plan(allowed, chosen, public=False,
                     version_of=lambda asset: asset_selectors.version_shown_to(user, asset))
    kept = {a.pk for a in allowed}
    plan.left_out += [(a, f"{chosen.label} is for people who may edit it") for a in members if a.pk not in kept]
    return chosen, plan


def lightbox_zip_response(user: Any, lightbox: Lightbox, chosen: Preset, plan: zips.Plan) -> HttpResponseBase:
    downloads.record_many(pairs=[(asset, derivative.version) for asset, derivative in plan.ready], sent=chosen.name,
                          channel=DownloadEvent.Channel.ZIP, user=user)
    return zips.response(plan, f"{slugify(lightbox.name) or 'lightbox'}-{chosen.name}.zip", public=False)


@login_required
def lightbox_zip(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    """The lightbox as one zip in the chosen preset (`?preset=`, the original by default), streamed."""
    lightbox = authority.access(request.user, Lightbox.objects.all(), "view", pk=pk)
    try:
        chosen, plan = lightbox_zip_plan(request.user, lightbox, request.GET.get("preset") or "original")
    except Preset.DoesNotExist as exc:
        raise Http404(str(exc)) from None
    if plan.pending:
        response: HttpResponse = render(request, "distribution/preparing.html", {
            "title": f"Preparing {lightbox.name}", "asset": None, "lightbox": lightbox, "ready": len(plan.ready),
            "total": len(plan.ready) + len(plan.pending), "again": request.get_full_path()}, status=202)
        response["Retry-After"] = str(derivatives.RETRY_AFTER)
        return response
    if not plan.ready:
        return render(request, "error.html", {"title": "Nothing to download", "message": "None of the lightbox's "
                      f"assets you may see can be had as {chosen.label}."}, status=404)
    return lightbox_zip_response(request.user, lightbox, chosen, plan)
