"""A recording streamed to the asset page's player, answering byte ranges so that a click on a transcript line can
seek without the browser fetching the whole file first.

Downloads (assets.downloads) answer whole files as attachments and count as downloads; playing is neither, so it
has this small response of its own. Only audio and video are played, and never rendered as a page (nosniff, a
sandboxing CSP): the bytes are an upload.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from assets.downloads import file_response, original_name
from assets.models import AssetVersion
from assets.originals import original_storage

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range a player asks for ("bytes=100-", "bytes=-500"), as inclusive (start, end); None for the
    whole file, and ValueError when it lies outside the file."""
    match = _RANGE.match(header.strip())
    if not match or not any(match.groups()):
        return None
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start > end or start >= size:
        raise ValueError("range outside the file")
    return start, end


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                break
            length -= len(block)
            yield block
    finally:
        handle.close()


def stream(request: HttpRequest, version: AssetVersion) -> HttpResponseBase:
    """The version's original for a media element: 200 with the whole file, or 206 with the range asked for."""
    storage = original_storage(version)
    if not isinstance(storage, FileSystemStorage) and hasattr(storage, "bucket_name"):
        # S3 answers ranges itself; the presigned URL is the same one a download gets.
        return file_response(version.file.name, original_name(version), version.mime_type, storage)
    try:
        size = storage.size(version.file.name)
        handle = storage.open(version.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("The recording is missing from storage.") from None
    try:
        wanted = byte_range(request.headers.get("Range", ""), size)
    except ValueError:
        handle.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    start, end = wanted if wanted else (0, size - 1)
    response = StreamingHttpResponse(_chunks(handle, start, end - start + 1), content_type=version.mime_type,
                                     status=206 if wanted else 200)
    response["Content-Length"] = str(end - start + 1)
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=0"
    return response
