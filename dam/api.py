"""API plumbing shared by every app: pagination and the error format of DESIGN.md."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dam import views
from dam.errors import Gone, StateConflict, StorageFull, outage
from dam.pagination import CountedPaginator


class ApiDocsPermission(permissions.BasePermission):
    """The OpenAPI schema and its browsable docs: signed-in people and tokens only, unless
    DAM_API_DOCS_PUBLIC opens them (they list every endpoint and parameter, a map for a prober)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.DAM_API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def __init__(self, count: int | None = None, ids: Any = None, rows: Any = None) -> None:
        self.known_count = count  # the number of rows, when another query has already counted them
        self.ids = ids  # a cheaper query of the rows' ids in order (see CountedPaginator)
        self.rows = rows  # where to fetch the page's rows by id: the queryset the search started from

    def django_paginator_class(self, queryset: Any, page_size: int) -> CountedPaginator:  # type: ignore[override]
        return CountedPaginator(queryset, page_size, count=self.known_count, ids=self.ids, rows=self.rows)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class GoneError(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This is no longer available."
    default_code = "gone"


class InsufficientStorage(exceptions.APIException):
    status_code = 507
    default_detail = "The DAM's storage is full, so nothing was kept."
    default_code = "insufficient_storage"


class Unavailable(exceptions.APIException):
    """503, with how long to wait before trying again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.wait = retry_after


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as {"detail": "...", "errors": {field: [...]}} with the right status."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, Gone):
        exc = GoneError(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif (trouble := outage(exc)) is not None:
        exc = (InsufficientStorage(str(trouble)) if isinstance(trouble, StorageFull)
               else Unavailable(str(trouble), retry_after=trouble.retry_after))
    elif isinstance(exc, TooManyFilesSent | TooManyFieldsSent | RequestDataTooBig):
        # Raised while DRF parses the body; Django would answer them with an HTML page.
        code, message = views.refusal(exc)
        exc = PayloadTooLarge(message) if code == 413 else exceptions.ValidationError({"non_field_errors": [message]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Unavailable):
        response["Retry-After"] = str(exc.wait)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(data) if isinstance(data, dict) else {"non_field_errors": [str(m) for m in data]}
        detail = errors.pop("detail", None)
        first = next(iter(errors.values()), ["Invalid input."])[0]
        body: dict[str, Any] = {"detail": (detail or [first])[0], "errors": errors}
    else:
        body = {"detail": str(data.get("detail", "")) if isinstance(data, dict) else str(data), "errors": {}}
        if isinstance(data, dict):
            body.update({k: v for k, v in data.items() if k != "detail"})
    response.data = body
    return response
