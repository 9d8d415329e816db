"""Domain errors that services raise and every interface understands."""
from __future__ import annotations

import errno


class StateConflict(Exception):
    """The action is not allowed in the object's current state; the API answers 409 with this message."""


class Gone(Exception):
    """The thing existed but is no longer available (an expired or used-up share link): 410."""


class StorageFull(Exception):
    """The file store has no room (a full disk or quota): nothing was kept. 507."""

    def __init__(self, message: str = "The DAM's storage is full, so nothing was kept. Try again once an "
                                      "administrator has made room."):
        super().__init__(message)


class StorageUnavailable(Exception):
    """The file store cannot be reached or answered with an error of its own: nothing was kept. 503."""

    retry_after = 30

    def __init__(self, message: str = "The DAM's storage cannot be reached just now, so nothing was kept. "
                                      "Try again in a minute."):
        super().__init__(message)


class DatabaseUnavailable(Exception):
    """The database connection was lost in the middle of a request: its transaction was rolled back. 503."""

    retry_after = 5

    def __init__(self, message: str = "The DAM lost its database connection while answering, so nothing was "
                                      "saved. Try again in a moment."):
        super().__init__(message)


def storage_error(exc: BaseException) -> StorageFull | StorageUnavailable | None:
    """The storage trouble behind an exception from a file store, if that is what it is."""
    if isinstance(exc, StorageFull | StorageUnavailable):
        return exc
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFull()
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - django-storages[s3] brings it
        return None
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return StorageUnavailable() if status >= 500 or status == 429 else None
    if isinstance(exc, BotoCoreError):  # could not connect, timed out, the connection closed
        return StorageUnavailable()
    return None


def outage(exc: BaseException) -> StorageFull | StorageUnavailable | DatabaseUnavailable | None:
    """The outage behind an exception (storage full or unreachable, the database connection lost), if any.

    Any OperationalError or InterfaceError of the database counts: a terminated connection, a server
    that went away, SQLite's "database is locked" after its busy timeout. The transaction was rolled back
    whole, so the answer is "nothing was saved, try again", never a bare 500.
    """
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailable()
    return storage_error(exc)
