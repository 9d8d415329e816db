"""Share links: making and watching one's links, and the public pages people open without an account."""
from __future__ import annotations

import io
from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts import throttle
from assets import downloads as asset_downloads
from dam.errors import Gone
from dam.http import AuthedHttpRequest
from distribution import derivatives, downloads, link_previews, location, selectors, services, zips
from distribution.forms import ShareLinkForm, SharePasswordForm
from distribution.models import Lightbox, Preset, ShareLink

PASSWORD_SCOPE = "share-password"  # noqa: S105 - the name of a throttle, not a password


@login_required
def link_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", ShareLink)
    return render(request, "distribution/link_list.html", {
        "title": "Share links", "links": selectors.share_links_of(request.user)})


@login_required
def link_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", ShareLink)
    # A selection posted from the search ("Share selected…") starts a new form; the form posts `asset` back.
    started = request.method == "POST" and "uids" in request.POST and "expiry" not in request.POST
    uids = request.GET.getlist("asset") or request.POST.getlist("asset") or request.POST.getlist("uids")
    assets = selectors.shareable_assets(request.user, uids, approved_only=started)
    lightbox = None
    lightbox_id = request.GET.get("lightbox") or request.POST.get("lightbox")
    if lightbox_id and lightbox_id.isdigit():
        lightbox = authority.access(request.user, Lightbox.objects.all(), "view", pk=int(lightbox_id))
    form = ShareLinkForm(None if started else (request.POST or None),
                         initial={"title": lightbox.name if lightbox else ""})
    if request.method == "POST" and not started and form.is_valid():
        try:
            links = services.share_links_create(actor=request.user, assets=assets, lightbox=lightbox,
                                                **form.service_values())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            sent = sum(1 for link in links if link.recipient)
            messages.success(request, f"The link was created and sent to {sent} recipient{'s' if sent != 1 else ''}."
                             if sent else "The link was created. Copy it below or show its QR code.")
            return redirect("distribution:link_detail", pk=links[0].pk)
    skipped = len(set(uids)) - len(assets)
    return render(request, "distribution/link_new.html", {
        "title": "New share link", "form": form, "assets": assets, "lightbox": lightbox, "skipped": skipped},
        status=400 if form.errors else 200)


def _qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True,
                                    title="QR code of the link", dark="#111")
    return out.getvalue().decode()


@login_required
def link_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    link = authority.access(request.user, ShareLink.objects.select_related("watermark", "lightbox"), "view", pk=pk)
    url = request.build_absolute_uri(link.get_absolute_url())
    analytics = selectors.link_analytics(link)
    return render(request, "distribution/link_detail.html", {
        "title": str(link), "link": link, "url": url, "qr": mark_safe(_qr_svg(url)),  # noqa: S308 - segno's SVG
        "analytics": analytics, "presets": selectors.offered_presets(link),
        "assets": link.assets.select_related("approved_version").order_by("title")})


@login_required
@require_POST
def link_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    link = authority.access(request.user, ShareLink.objects.all(), "revoke", pk=pk)
    services.share_link_revoke(link=link, actor=request.user)
    messages.success(request, "The link no longer works.")
    return redirect(request.POST.get("next") or "distribution:links")


def _gone(request: HttpRequest, message: str, token: str) -> HttpResponse:
    response = render(request, "distribution/share_gone.html", {
        "title": "Link unavailable", "message": message, "preview": link_previews.gone_preview(token, message)},
        status=410)
    response["Cache-Control"] = "private, no-store"
    return response


def _open(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    """The link, or the page to show instead (gone, or asking for the password)."""
    try:
        link = services.share_link_open(token)
    except ShareLink.DoesNotExist:
        raise Http404("No such link.") from None
    except Gone as exc:
        return _gone(request, str(exc), token)
    if link.password_hash and not request.session.get(f"share-{link.pk}"):
        form = SharePasswordForm(request.POST or None)
        keys = (throttle.client_address(request), f"link-{link.pk}")
        wait = throttle.retry_after(PASSWORD_SCOPE, *keys)
        if wait is not None:
            response = render(request, "distribution/share_password.html", {
                "title": "Too many attempts", "form": None, "preview": link_previews.protected_preview(link),
                "message": f"Too many wrong passwords. Try again in {wait} second{'s' if wait != 1 else ''}."},
                status=429)
            response["Retry-After"] = str(wait)
            return response
        if request.method == "POST" and form.is_valid():
            if services.share_link_password_ok(link, form.cleaned_data["password"]):
                request.session[f"share-{link.pk}"] = True
                return redirect(link)
            throttle.failed(PASSWORD_SCOPE, *keys)
            form.add_error("password", "That is not the password.")
        return render(request, "distribution/share_password.html", {
            "title": "Password needed", "form": form, "preview": link_previews.protected_preview(link)},
            status=403 if form.errors else 200)
    return link


# The public pages answer with `Cache-Control: private, no-store` (never_cache): what they show changes when the
# link is revoked, expires or runs out, and a shared cache must never keep one for the next visitor.

@never_cache
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    presets = selectors.offered_presets(opened)
    assets = services.shared_assets(opened)
    cards = [(asset, selectors.offers(opened, asset.approved_version, presets)) for asset in assets]
    if request.method == "GET":
        services.share_link_opened(opened)
    pictures = selectors.shows_pictures(opened, presets)
    return render(request, "distribution/share_page.html", {
        "title": opened.title or "Shared files", "link": opened, "cards": cards, "presets": presets,
        "zip_presets": [p for p in presets if any(o.preset == p and not o.refusal for _, offers in cards
                                                  for o in offers)],
        "offered": selectors.offer_sentences(opened, presets), "pictures": pictures,
        "remaining": selectors.remaining(opened),
        "preview": link_previews.share_link_preview(opened, assets=assets, presets=presets)})


def _message(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    response = render(request, "distribution/share_gone.html", {"title": title, "message": message}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _preparing(request: HttpRequest, link: ShareLink, count: int, total: int) -> HttpResponse:
    response = render(request, "distribution/share_preparing.html", {
        "title": "Preparing your download", "link": link, "count": count, "total": total,
        "again": request.get_full_path()}, status=202)
    response["Retry-After"] = str(derivatives.RETRY_AFTER)
    response["Cache-Control"] = "private, no-store"
    return response


def _preset_asked(request: HttpRequest, link: ShareLink) -> str:
    """The preset the visitor asked for (`?preset=`, or `?rendition=` of links made before presets), else the
    first the link offers."""
    asked = request.GET.get("preset") or request.GET.get("rendition") or ""
    return services.PRESET_OF_RENDITION.get(asked, asked) if asked else link.presets[0]


@never_cache
def share_download(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    name = _preset_asked(request, opened)
    preset = Preset.objects.filter(name=name).select_related("watermark").first()
    if name not in opened.presets or preset is None:
        labels = ", ".join(p.label for p in selectors.offered_presets(opened))
        return _message(request, "Not offered", f"This link offers: {labels}.", status=400)
    asset = next((a for a in services.shared_assets(opened) if a.uid == uid), None)
    if asset is None or asset.approved_version is None:
        raise Http404("This asset is not (or no longer) in the link.")
    try:
        derivative = derivatives.derivative_for(asset.approved_version, preset, watermark=opened.watermark,
                                                recipient=opened.recipient, link_title=opened.title)
    except derivatives.PresetUnavailable as exc:
        return _message(request, "Not offered", str(exc), status=400)
    if derivative.failed:
        return _message(request, "Not available", f"{preset.label} could not be made from this file.", status=404)
    if not derivative.ready:
        return _preparing(request, opened, 0, 1)
    # Prepared before the download is counted: a refusal must not use up one of the link's downloads.
    try:
        response = downloads.attachment(derivative, public=True, keep_location=opened.keep_location)
    except location.LocationNotRemovable as exc:
        return _message(request, "Not offered", str(exc), status=403)
    try:
        services.share_download_count(link=opened, assets=[asset], sent=preset.name)
    except Gone as exc:
        response.close()
        return _gone(request, str(exc), token)
    return response


@never_cache
def share_zip(request: HttpRequest, token: str) -> HttpResponseBase:
    """Every file of the link in one preset, as one zip; one download of the link's allowance."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    name = _preset_asked(request, opened)
    preset = Preset.objects.filter(name=name).select_related("watermark").first()
    if name not in opened.presets or preset is None:
        return _message(request, "Not offered", "This link does not offer that.", status=400)
    assets = services.shared_assets(opened)
    plan = zips.plan(assets, preset, public=True, keep_location=opened.keep_location, watermark=opened.watermark,
                     recipient=opened.recipient, link_title=opened.title)
    if plan.pending:
        return _preparing(request, opened, len(plan.ready), len(plan.ready) + len(plan.pending))
    if not plan.ready:
        return _message(request, "Nothing to download", "None of these files is available in this form.", 404)
    try:
        services.share_download_count(link=opened, assets=plan.assets, sent=f"zip:{preset.name}")
    except Gone as exc:
        return _gone(request, str(exc), token)
    return zips.response(plan, f"{opened.title or 'shared-files'}-{preset.name}.zip", public=True,
                         keep_location=opened.keep_location)


# Previews on the link's page: the standard renditions, or, on a watermarked link, watermarked copies (the
# page must not hand out unmarked pictures the downloads would mark).
# 1200 px: made in the page's own requests (derivatives.SYNC_MAX_SIDE), so the gallery never waits for the job.
_PAGE_SIZES = {kind: (f"share-{kind}", side) for kind, side in link_previews.SHARE_PAGE_SIDES.items()}


def _picture(request: HttpRequest, token: str, uid: UUID, kind: str) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    if not selectors.shows_pictures(opened, selectors.offered_presets(opened)):
        raise Http404("This link offers no pictures.")
    asset = next((a for a in services.shared_assets(opened) if a.uid == uid), None)
    if asset is None or asset.approved_version is None:
        raise Http404("Not in this link.")
    if opened.watermark is None:
        return asset_downloads.rendition_inline(asset.approved_version, kind)
    name, side = _PAGE_SIZES[kind]
    page_preset = Preset(name=name, label="Preview", max_width=side, max_height=side, format="jpeg", quality=80,
                         color_profile=Preset.Profile.NONE)
    try:
        derivative = derivatives.derivative_for(asset.approved_version, page_preset, watermark=opened.watermark,
                                                recipient=opened.recipient, link_title=opened.title)
    except derivatives.PresetUnavailable:
        raise Http404("No picture.") from None
    if not derivative.ready:
        raise Http404("Not ready.")
    return downloads.inline(derivative, etag=f'"{derivative.rendition.variant if derivative.rendition else ""}"',
                            cache_control="private, max-age=3600", filename=f"{asset.uid}.jpg")


def share_thumb(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    return _picture(request, token, uid, "thumb")


def share_preview(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    return _picture(request, token, uid, "preview")

