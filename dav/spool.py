"""A request body on its way to a service: written to a temporary file as it arrives, never held in memory."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from wsgidav.dav_error import HTTP_REQUEST_ENTITY_TOO_LARGE, DAVError


class Spool:
    """The file object WsgiDAV writes a PUT's body into (begin_write); counted against DAM_MAX_UPLOAD_MB so a
    body without a Content-Length is stopped there too. WsgiDAV closes it when the body has ended; the file
    stays until discard(), for the service to read."""

    def __init__(self) -> None:
        folder = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.NamedTemporaryFile(dir=folder, prefix="dav-", suffix=".upload")  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > settings.DAM_MAX_UPLOAD_BYTES:
            raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE,
                           f"The file is larger than the limit of {settings.DAM_MAX_UPLOAD_MB} MB.")
        return self.file.write(data)

    def close(self) -> None:
        self.file.flush()
        self.file.seek(0)

    def discard(self) -> None:
        self.file.close()
