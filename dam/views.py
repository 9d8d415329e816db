"""Error pages (JSON under /api/, the site layout elsewhere), and the icon browsers ask for."""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from dam.middleware import outage_response


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=status)
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def refusal(exception: BaseException | None) -> tuple[int, str]:
    """The status and the sentence for a request the framework refuses before any view runs."""
    if isinstance(exception, TooManyFilesSent):
        return 400, f"Too many files in one request: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
    if isinstance(exception, TooManyFieldsSent):
        return 400, f"Too many fields in one request: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return 413, f"The request's form data is larger than {limit} MB (files do not count)."
    return 400, "The request could not be understood."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    status, message = refusal(exception)
    return _error(request, status, "Bad request", message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The CSRF check refused a form or a session-authenticated API call (a token client needs none)."""
    return _error(request, 403, "Not allowed", "The form expired or came from another site (CSRF check failed); "
                                               "reload the page and try again.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "There is nothing here, or you may not see it.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Not allowed", str(exception) if exception else "You may not do that.")


def server_error(request: HttpRequest) -> HttpResponse:
    # An outage met outside a view (an upload spooled to a full disk while the CSRF check read the form)
    # still gets its own answer rather than "something went wrong".
    outage = outage_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    return _error(request, 500, "Something went wrong", "The error was logged. Please try again.")


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for where a page names no icon (a file, a JSON answer)."""
    return redirect(static("img/favicon.svg"), permanent=True)
