"""Handing out a preset's file, and recording every download and delivery (the data behind analytics)."""
from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from assets import downloads as asset_downloads
from assets import signals as asset_signals
from assets.models import Asset, AssetVersion
from dam.http import StreamedFile
from distribution import embedding
from distribution.connections import usages
from distribution.derivatives import RETRY_AFTER, Derivative
from distribution.models import DownloadEvent, Integration, Preset, ShareLink
from distribution.receivers import count_download
from taxonomy.naming import download_name

# Types a browser may show inline from a delivery URL; anything else is sent as an attachment.
INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/avif", "image/gif", "video/mp4", "video/webm",
                "audio/mpeg", "audio/mp4", "application/pdf")


def record(*, asset: Asset, version: AssetVersion, sent: str, channel: str, preset: str = "", user: Any = None,
           integration: Integration | None = None, share_link: ShareLink | None = None,
           recipient: str = "", referer: str = "", own_host: str = "") -> DownloadEvent:
    """One download or delivery: who or what (user, link, integration), which asset, version and preset. A
    delivery asked for by a page of another site (its Referer) makes that page a usage of the version."""
    with transaction.atomic():  # one commit for the event and the counter
        event = _record(asset=asset, version=version, sent=sent, channel=channel, preset=preset, user=user,
                        integration=integration, share_link=share_link, recipient=recipient)
    if referer and channel == DownloadEvent.Channel.DELIVERY:
        usages.record_delivery(asset_id=asset.pk, version_id=version.pk, preset=preset, referer=referer,
                               own_host=own_host, integration_id=integration.pk if integration is not None else None)
    return event


def _record(*, asset: Asset, version: AssetVersion, sent: str, channel: str, preset: str, user: Any,
            integration: Integration | None, share_link: ShareLink | None, recipient: str) -> DownloadEvent:
    event = DownloadEvent.objects.create(
        asset=asset, version=version, rendition=sent[:64], preset=preset[:64], channel=channel,
        user=user if user is not None and user.is_authenticated else None, integration=integration,
        share_link=share_link, recipient=recipient[:254])
    count_download(asset.pk)
    return event


def record_many(*, pairs: list[tuple[Asset, AssetVersion]], sent: str, channel: str, user: Any = None) -> None:
    """Record many downloads at once (a zip): one insert and one counter update, whatever the number."""
    if not pairs:
        return
    who = user if user is not None and user.is_authenticated else None
    DownloadEvent.objects.bulk_create([DownloadEvent(asset=asset, version=version, rendition=sent[:64],
                                                     preset=sent[:64], channel=channel, user=who)
                                       for asset, version in pairs])
    Asset.objects.filter(pk__in=[asset.pk for asset, _ in pairs]).update(download_count=F("download_count") + 1)


def preparing(derivative: Derivative, *, api: bool) -> HttpResponse:
    """202: the derivative is being made; come back in a few seconds."""
    message = (f"The {derivative.preset.label} file is being made; try again in a few seconds.")
    if api:
        from django.http import JsonResponse

        response: HttpResponse = JsonResponse({"detail": message, "status": "pending",
                                               "retry_after": RETRY_AFTER}, status=202)
    else:
        response = HttpResponse(message, status=202, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def download_name_for(derivative: Derivative, **rule: Any) -> str:
    """The file name a preset downloads under: the naming convention's stem, the preset, the format's
    extension (`harbour-at-dawn-social-square.jpg`); the original keeps its own name."""
    version = derivative.version
    if derivative.rendition is None:
        return asset_downloads.original_name(version, **rule)
    stem = download_name(version, **rule).rsplit(".", 1)[0]
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/avif": "avif"}.get(
        derivative.mime_type, "bin")
    return f"{stem}-{derivative.preset.name}.{extension}"


def attachment(derivative: Derivative, *, public: bool, keep_location: bool = False) -> HttpResponseBase:
    """The derivative's file as an attachment. An original goes as a copy with the asset's rights written
    (distribution.embedding); to someone without an account (`public`) without its location unless
    `keep_location` (distribution.location)."""
    name = download_name_for(derivative)
    if derivative.rendition is None:
        copy = embedding.original_with_rights(derivative.version, clean_location=public and not keep_location)
        if copy is not None:  # raises LocationNotRemovable
            return asset_downloads.stream(copy, name, derivative.mime_type)
    return asset_downloads.file_response(derivative.storage_name, name, derivative.mime_type, derivative.storage)


def original_download(version: AssetVersion, *, user: Any) -> HttpResponseBase:
    """A signed-in person's download of an original (the asset page's button, the API's `?rendition=original`):
    a copy with the asset's rights written in, recorded as the assets app records its downloads."""
    original = Preset(name=asset_downloads.ORIGINAL, label="Original", format=Preset.Format.ORIGINAL)
    response = attachment(Derivative(original, version, None), public=False)
    asset_signals.asset_downloaded.send(sender=AssetVersion, asset_id=version.asset_id, version_id=version.pk,
                                        rendition=asset_downloads.ORIGINAL, user_id=user.pk if user else None)
    return response


def inline(derivative: Derivative, *, etag: str, cache_control: str, filename: str,
           keep_location: bool = False) -> HttpResponseBase:
    """The derivative's file for a delivery URL: inline when a browser may show it, with caching headers."""
    mime = derivative.mime_type
    if derivative.rendition is None:
        copy = embedding.original_with_rights(derivative.version, clean_location=not keep_location)
        if copy is not None:
            response: HttpResponseBase = StreamedFile(copy, content_type=mime)
            return _headers(response, etag, cache_control, filename, mime)
    storage = derivative.storage
    if not isinstance(storage, FileSystemStorage) and hasattr(storage, "bucket_name"):
        s3: Any = storage
        url = s3.url(derivative.storage_name, parameters={"ResponseContentType": mime,
                                                          "ResponseCacheControl": cache_control})
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"  # the presigned address expires; the delivery URL does not
        return response
    try:
        fh = storage.open(derivative.storage_name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return _headers(StreamedFile(fh, content_type=mime), etag, cache_control, filename, mime)


def _headers(response: HttpResponseBase, etag: str, cache_control: str, filename: str, mime: str
             ) -> HttpResponseBase:
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    disposition = asset_downloads.content_disposition(filename)
    response["Content-Disposition"] = disposition if mime not in INLINE_TYPES else disposition.replace(
        "attachment", "inline", 1)
    return response
