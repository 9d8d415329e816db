"""Refuse an over-large upload before its body is read."""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class UploadSizeLimitMiddleware:
    """Answer 413 when Content-Length is over DAM_MAX_UPLOAD_MB, so nothing is spooled to disk.

    Bodies without a length (chunked) are caught while streaming by the ingest
    service, which counts bytes as it hashes.
    """

    # Room for the multipart envelope and form fields around the file.
    OVERHEAD = 1024 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DAM_MAX_UPLOAD_BYTES + self.OVERHEAD:
            message = f"The upload is larger than the limit of {settings.DAM_MAX_UPLOAD_MB} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {"file": [message]}}, status=413)
            return render(request, "error.html", {"title": "Upload too large", "message": message}, status=413)
        return self.get_response(request)
