"""Share links: managing one's links, and the public pages people open without an account."""
from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets import downloads
from assets.models import Asset
from dam.errors import Gone
from dam.http import AuthedHttpRequest
from distribution import selectors, services
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


def share_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    return render(request, "distribution/share_page.html", {
        "title": opened.title or "Shared assets", "link": opened, "assets": services.shared_assets(opened)})


def share_download(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    rendition = request.GET.get("rendition", "original")
    try:
        version = services.share_download(link=opened, asset_uid=str(uid), rendition=rendition)
    except Asset.DoesNotExist:
        raise Http404("This asset is not (or no longer) in the link.") from None
    except ValidationError as exc:
        return render(request, "distribution/share_gone.html", {"title": "Not offered", "message": exc.messages[0]},
                      status=400)
    except Gone as exc:
        return render(request, "distribution/share_gone.html", {"title": "Link unavailable", "message": str(exc)},
                      status=410)
    return downloads.version_download(version, rendition, announce=False)  # counted by share_download


def share_thumb(request: HttpRequest, token: str, uid: UUID) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    asset = next((a for a in services.shared_assets(opened) if a.uid == uid), None)
    if asset is None or asset.approved_version is None:
        raise Http404("Not in this link.")
    return downloads.rendition_inline(asset.approved_version, "thumb")


