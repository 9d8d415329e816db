"""The services' refusals as WebDAV statuses, each with its sentence."""
from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from wsgidav.dav_error import (
    HTTP_CONFLICT,
    HTTP_FORBIDDEN,
    HTTP_INSUFFICIENT_STORAGE,
    HTTP_LOCKED,
    HTTP_MEDIATYPE_NOT_SUPPORTED,
    HTTP_NOT_FOUND,
    HTTP_REQUEST_ENTITY_TOO_LARGE,
    DAVError,
)

from assets.services import DuplicateFile, VersionRefused
from dam.errors import StorageFull, StorageUnavailable
from ingest.files import FileRejected, FileTooLarge
from workflows.services.locks import LockHeld


def refuse(status: int, reason: str) -> NoReturn:
    raise DAVError(status, reason)


def _sentence(exc: BaseException | None, reason: str) -> str:
    if reason:
        return reason
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    text = str(exc) if exc is not None else ""
    return text.strip("'\"") or "Refused."


def as_dav_error(exc: BaseException | None, *, reason: str = "") -> DAVError:
    """The DAVError for a service's exception (a DAVError stays as it is); unexpected ones are raised again."""
    if isinstance(exc, DAVError):
        return exc
    if isinstance(exc, PermissionDenied):
        return DAVError(HTTP_FORBIDDEN, reason or "You may not do that here.")
    if isinstance(exc, Http404):
        return DAVError(HTTP_NOT_FOUND, "Not found.")
    if isinstance(exc, FileTooLarge):
        return DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE, _sentence(exc, reason))
    if isinstance(exc, FileRejected):
        return DAVError(HTTP_MEDIATYPE_NOT_SUPPORTED, _sentence(exc, reason))
    if isinstance(exc, (VersionRefused, LockHeld)):
        return DAVError(HTTP_LOCKED, _sentence(exc, reason))
    if isinstance(exc, (DuplicateFile, ValidationError)):
        return DAVError(HTTP_CONFLICT, _sentence(exc, reason))
    if isinstance(exc, StorageFull):
        return DAVError(HTTP_INSUFFICIENT_STORAGE, _sentence(exc, ""))
    if isinstance(exc, StorageUnavailable):
        return DAVError(503, _sentence(exc, ""))
    if exc is None:
        return DAVError(HTTP_CONFLICT, reason or "Refused.")
    raise exc
