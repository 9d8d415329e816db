"""Middleware: over-large uploads refused before their body is read; outages answered in a sentence."""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dam import errors

logger = logging.getLogger(__name__)


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
            if request.path == "/dav" or request.path.startswith("/dav/"):
                # The WebDAV drive's clients show a plain sentence; the page would need a signed-in user.
                return HttpResponse(message + "\n", status=413, content_type="text/plain; charset=utf-8")
            return render(request, "error.html", {"title": "Upload too large", "message": message}, status=413)
        return self.get_response(request)


class OutageMiddleware:
    """An outage met while answering (storage full or unreachable, the database connection lost) becomes a
    sentence and the right status, 507 or 503 with Retry-After, as JSON under /api/; never a bare 500.

    DRF's views turn them into their errors themselves (dam.api.exception_handler); this answers for the
    pages, and for what happens before a view runs (an upload spooled to a full disk).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)


def outage_response(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    """507 or 503 (with Retry-After) saying what happened, when `exception` is an outage; else None."""
    trouble = errors.outage(exception) if exception is not None else None
    if trouble is None:
        return None
    logger.error("Answered an outage on %s: %r", request.path, exception)
    status = 507 if isinstance(trouble, errors.StorageFull) else 503
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": str(trouble), "errors": {}}, status=status)
    else:
        response = render(request, "error.html", {"title": "Try again", "message": str(trouble)}, status=status)
    if status == 503:
        response["Retry-After"] = str(getattr(trouble, "retry_after", 30))
    return response


# Paths anonymous visitors reach (share links, delivery URLs, upload links, the picker, oEmbed).
PUBLIC_PREFIXES = ("/s/", "/d/", "/u/", "/picker/", "/oembed")


def _public(request: HttpRequest) -> bool:
    """A public path, or any path asked by someone not signed in: neither may see Django's technical pages."""
    user = getattr(request, "user", None)
    return request.path.startswith(PUBLIC_PREFIXES) or not (user is not None and user.is_authenticated)


class PublicErrorPagesMiddleware:
    """Under DAM_DEBUG, the public paths and every anonymous visitor still get the app's own error pages:
    Django's technical pages list every URL pattern and the settings, which no anonymous visitor may see
    (a signed-in developer keeps them; the traceback of a 500 is logged either way). Last in MIDDLEWARE, so
    its process_exception runs first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (settings.DEBUG and _public(request) and response.status_code == 404
                and getattr(request, "resolver_match", None) is None):  # no route: the technical 404
            from dam.views import not_found

            return not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or not _public(request):
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from dam import views

        if isinstance(exception, Http404):
            return views.not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return views.forbidden(request, exception)
        outage = outage_response(request, exception)
        if outage is not None:
            return outage
        logger.exception("Error on a public page: %s", request.path, exc_info=exception)
        return views._error(request, 500, "Something went wrong", "The error was logged. Please try again.")
