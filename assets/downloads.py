"""Answering a download: streamed from local disk, or a short-lived presigned S3 redirect."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.http import Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase

from assets import signals
from assets.formats import name_for_type
from assets.models import AssetVersion, Rendition
from assets.originals import original_storage
from assets.selectors import rendition_for
from dam.http import StreamedFile
from taxonomy.naming import download_name

ORIGINAL = "original"
CHOICES = (ORIGINAL, *Rendition.Preset.values)


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback plus the exact UTF-8 name in filename*."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(name: str, filename: str, mime_type: str, storage: Storage | None = None) -> HttpResponseBase:
    """A stored file as an attachment: streamed from local disk, or a presigned redirect to S3.

    `storage` is the primary one unless said (an original: assets.originals.original_storage)."""
    storage = default_storage if storage is None else storage
    if not isinstance(storage, FileSystemStorage) and hasattr(storage, "bucket_name"):
        s3: Any = storage  # django-storages' S3Storage.url takes parameters and expire
        url = s3.url(name, parameters={"ResponseContentDisposition": content_disposition(filename),
                                                    "ResponseContentType": mime_type},
                                  expire=getattr(s3, "querystring_expire", None)
                                  or settings.STORAGES["default"]["OPTIONS"].get("querystring_expire", 300))
        return HttpResponseRedirect(url)
    try:
        fh = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return stream(fh, filename, mime_type)


def stream(fh: Any, filename: str, mime_type: str) -> StreamedFile:
    """An open file as an attachment that no browser renders or caches; the response closes the file."""
    # StreamedFile streams in blocks; the file is never read whole into memory.
    response = StreamedFile(fh, content_type=mime_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


def version_download(version: AssetVersion, rendition: str = ORIGINAL, *, user: Any = None,
                     announce: bool = True) -> HttpResponseBase:
    """The bytes of a version or of one of its renditions, as an attachment. Check access first.

    `announce=False` is for callers that record the download themselves (share links).
    """
    response = _version_response(version, rendition)
    if announce:
        signals.asset_downloaded.send(sender=AssetVersion, asset_id=version.asset_id, version_id=version.pk,
                                      rendition=rendition, user_id=user.pk if user is not None else None)
    return response


def original_name(version: AssetVersion, **rule: Any) -> str:
    """The name the original downloads under: the naming convention's or the uploaded one, its extension
    following the content (a JPEG uploaded as `shell.jpg.php` downloads as `shell.jpg`)."""
    return name_for_type(download_name(version, **rule), version.mime_type)


def _version_response(version: AssetVersion, rendition: str) -> HttpResponseBase:
    if rendition == ORIGINAL:
        return file_response(version.file.name, original_name(version), version.mime_type,
                             original_storage(version))
    if rendition not in CHOICES:
        raise Http404(f"Unknown rendition {rendition!r}; choose one of {', '.join(CHOICES)}.")
    made = rendition_for(version, rendition)
    if made is None or made.status != Rendition.Status.READY:
        state = made.get_status_display().lower() if made else "not available for this file type"
        raise Http404(f"The {rendition} rendition is {state}.")
    stem = download_name(version).rsplit(".", 1)[0]
    return file_response(made.file.name, f"{stem}-{rendition}.jpg", made.mime_type)


def rendition_inline(version: AssetVersion, preset: str) -> HttpResponseBase:
    """A ready rendition to show in an <img>: our own JPEG, so it may be inline."""
    made = rendition_for(version, preset)
    if made is None or made.status != Rendition.Status.READY:
        raise Http404("Not ready.")
    if not isinstance(default_storage, FileSystemStorage) and hasattr(default_storage, "bucket_name"):
        return HttpResponseRedirect(default_storage.url(made.file.name))
    response = StreamedFile(default_storage.open(made.file.name, "rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
