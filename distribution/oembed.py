"""oEmbed (https://oembed.com) for this DAM's share links and delivery URLs, at `/oembed`.

`GET /oembed?url=URL&format=json&maxwidth=&maxheight=` answers `photo` (a picture the link shows), `video` (a
delivery URL of a video file) or `link` (a link without a picture: protected, no longer available, a file
without a preview) with only what that link itself shows (distribution.link_previews). Errors are JSON
`{"detail": ...}`: 400 for a malformed request, 404 for a URL that is not one of ours or would not be served
(refused, no longer published: the same answer, as for a missing one), 501 for a format other than JSON.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.request import validate_host
from django.urls import Resolver404, resolve
from django.utils.html import format_html

from distribution import link_previews
from distribution.link_previews import Picture, Preview

CACHE_AGE = 300  # seconds; as long as a public delivery URL may sit in a shared cache


def _answer(data: dict[str, Any], status: int = 200, cache: str = "private, no-store") -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = cache
    # What an answer tells is public (no session is ever consulted), so pages' scripts may ask for it too.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, detail: str) -> JsonResponse:
    return _answer({"detail": detail}, status)


def _dimension(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= 100_000:
        raise ValueError(f"{name} must be a whole number of pixels greater than 0.")
    return int(value)


def _is_ours(netloc: str, request: HttpRequest) -> bool:
    """Whether a URL's host is this DAM's: DAM_BASE_URL's, the one asked, or one it answers to (ALLOWED_HOSTS,
    "*" aside). A look-alike path on another site is not ours to describe."""
    netloc = netloc.lower()
    if netloc in {urlsplit(settings.DAM_BASE_URL).netloc.lower(), request.get_host().lower()}:
        return True
    host = urlsplit(f"//{netloc}").hostname or ""
    return bool(host) and validate_host(host, [h.lower() for h in settings.ALLOWED_HOSTS if h != "*"])


def preview_for(url: str, request: HttpRequest) -> Preview | None:
    """The preview of one of our share or delivery URLs; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not _is_ours(parts.netloc, request):
            return None
        match = resolve(unquote(parts.path))
    except (ValueError, Resolver404):
        return None
    if match.view_name == "share":
        return link_previews.share_preview(match.kwargs["token"])
    if match.view_name == "delivery":
        return link_previews.delivery_preview(match.kwargs["uid"], match.kwargs["preset"], path=parts.path,
                                              query=dict(parse_qsl(parts.query)))
    return None


def _choose(pictures: tuple[Picture, ...], maxwidth: int | None, maxheight: int | None
            ) -> tuple[Picture, int, int]:
    """The largest picture within maxwidth x maxheight; when none is, the smallest, its size scaled to fit."""
    fits = [p for p in pictures if (not maxwidth or p.width <= maxwidth) and (not maxheight or p.height <= maxheight)]
    chosen = fits[0] if fits else pictures[-1]
    return (chosen, *link_previews.fitted(chosen.width, chosen.height, maxwidth or 0, maxheight or 0))


def payload(preview: Preview, *, maxwidth: int | None = None, maxheight: int | None = None) -> dict[str, Any]:
    """The oEmbed response (version 1.0) for a preview, within maxwidth x maxheight."""
    data: dict[str, Any] = {"version": "1.0", "type": preview.kind, "title": preview.title,
                            "provider_name": link_previews.PROVIDER, "provider_url": f"{settings.DAM_BASE_URL}/"}
    if preview.author:
        data["author_name"] = preview.author
    if preview.description:
        data["description"] = preview.description  # not in the spec; providers may add parameters
    if preview.cacheable:
        data["cache_age"] = CACHE_AGE
    if preview.video is not None:
        width, height = link_previews.fitted(preview.video.width, preview.video.height, maxwidth or 0,
                                             maxheight or 0)
        data.update(width=width, height=height, html=format_html(
            '<video src="{}" width="{}" height="{}" controls preload="metadata"></video>',
            preview.video.url, width, height))
    elif preview.pictures:
        picture, width, height = _choose(preview.pictures, maxwidth, maxheight)
        data.update(url=picture.url, width=width, height=height)
        smallest = preview.pictures[-1]
        thumb_width, thumb_height = link_previews.fitted(smallest.width, smallest.height, maxwidth or 0,
                                                         maxheight or 0)
        data.update(thumbnail_url=smallest.url, thumbnail_width=thumb_width, thumbnail_height=thumb_height)
    return data


def oembed(request: HttpRequest) -> JsonResponse:
    """GET /oembed: parse, find the preview, answer; every refusal a JSON sentence."""
    if request.method not in ("GET", "HEAD"):
        response = _error(405, "Only GET is answered here.")
        response["Allow"] = "GET, HEAD"
        return response
    if request.GET.get("format", "json") != "json":
        return _error(501, "Only format=json is offered.")
    url = request.GET.get("url", "")
    if not url:
        return _error(400, "Give the url of a share link or a delivery URL of this DAM: ?url=…")
    try:
        maxwidth, maxheight = _dimension(request, "maxwidth"), _dimension(request, "maxheight")
    except ValueError as exc:
        return _error(400, str(exc))
    preview = preview_for(url, request)
    if preview is None:
        return _error(404, "There is no preview for that URL: it is not a share link or delivery URL of this "
                           "DAM, or it is not (or no longer) available.")
    return _answer(payload(preview, maxwidth=maxwidth, maxheight=maxheight),
                   cache=f"public, max-age={CACHE_AGE}" if preview.cacheable else "private, no-store")
