"""Share links: managing one's links, and the public pages people open without an account."""
from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets import downloads
from assets.models import Asset
from dam.errors import Gone
from dam.http import AuthedHttpRequest
from distribution import location, selectors, services
from distribution.forms import ShareLinkForm, SharePasswordForm
from distribution.models import ShareLink


@login_required
def link_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", ShareLink)
    return render(request, "distribution/link_list.html", {
        "title": "Share links", "links": selectors.share_links_of(request.user)})


@login_required
def link_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", ShareLink)
    assets = selectors.shareable_assets(request.user, request.GET.getlist("asset") or request.POST.getlist("asset"))
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_link_create(actor=request.user, assets=assets, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The link was created. Copy it from the list below.")
            return redirect("distribution:links")
    return render(request, "distribution/link_new.html", {"title": "New share link", "form": form, "assets": assets},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def link_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    link = authority.access(request.user, ShareLink.objects.all(), "revoke", pk=pk)
    services.share_link_revoke(link=link, actor=request.user)
    messages.success(request, "The link no longer works.")
    return redirect("distribution:links")


def _open(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    """The link, or the page to show instead (gone, or asking for the password)."""
    try:
        link = services.share_link_open(token)
    except ShareLink.DoesNotExist:
        raise Http404("No such link.") from None
    except Gone as exc:
        return render(request, "distribution/share_gone.html", {"title": "Link unavailable", "message": str(exc)},
                      status=410)
    if link.password_hash and not request.session.get(f"share-{link.pk}"):
        form = SharePasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if services.share_link_password_ok(link, form.cleaned_data["password"]):
                request.session[f"share-{link.pk}"] = True
                return redirect(link)
            form.add_error("password", "That is not the password.")
        return render(request, "distribution/share_password.html", {"title": "Password needed", "form": form},
                      status=403 if form.errors else 200)
    return link


# The public pages answer with `Cache-Control: private, no-store` (never_cache): what they show changes when the
# link is revoked, expires or runs out, and a shared cache must never keep one for the next visitor.

@never_cache
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    assets = services.shared_assets(opened)
    for asset in assets:
        asset.original_refusal = selectors.original_refusal(opened, asset.approved_version)  # type: ignore[attr-defined]
    return render(request, "distribution/share_page.html", {
        "title": opened.title or "Shared assets", "link": opened, "assets": assets,
        "offered": selectors.offered(opened), "pictures": selectors.shows_pictures(opened)})


def _not_offered(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "distribution/share_gone.html", {"title": "Not offered", "message": message}, status=status)


@never_cache
def share_download(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    rendition = request.GET.get("rendition") or opened.renditions[0]  # none asked: the first the link offers
    cleaned = None
    if rendition == "original" and rendition in opened.renditions and not opened.keep_location:
        # Prepared before the download is counted: a refusal must not use up one of the link's downloads.
        asset = next((a for a in services.shared_assets(opened) if a.uid == uid), None)
        if asset is not None and asset.approved_version is not None:
            try:
                cleaned = location.public_original(asset.approved_version)
            except location.LocationNotRemovable as exc:
                return _not_offered(request, str(exc), status=403)
    try:
        version = services.share_download(link=opened, asset_uid=str(uid), rendition=rendition)
    except (Asset.DoesNotExist, ValidationError, Gone) as exc:
        if cleaned is not None:
            cleaned.close()
        if isinstance(exc, Asset.DoesNotExist):
            raise Http404("This asset is not (or no longer) in the link.") from None
        if isinstance(exc, ValidationError):
            return _not_offered(request, exc.messages[0], status=400)
        return render(request, "distribution/share_gone.html", {"title": "Link unavailable", "message": str(exc)},
                      status=410)
    if cleaned is not None:
        return downloads.stream(cleaned, downloads.original_name(version), version.mime_type)
    return downloads.version_download(version, rendition, announce=False)  # counted by share_download


def share_thumb(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    if not selectors.shows_pictures(opened):
        raise Http404("This link offers no pictures.")
    asset = next((a for a in services.shared_assets(opened) if a.uid == uid), None)
    if asset is None or asset.approved_version is None:
        raise Http404("Not in this link.")
    return downloads.rendition_inline(asset.approved_version, "thumb")


