"""A request body on its way to a service: written to a temporary file as it arrives, never held in memory."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from wsgidav.dav_error import HTTP_REQUEST_ENTITY_TOO_LARGE, DAVError


class Spool:
    """The file object WsgiDAV writes a PUT's body into (begin_write); counted against DAM_MAX_UPLOAD_MB so a
    body without a Content-Length is stopped there too. WsgiDAV closes it when the body has ended; the file
    stays until discard(), for the service to read.

    It is the kind of file Django spools uploads to, so storing it on a local disk is a rename, not a copy
    (assets.services.assets._store), as for an upload through the API.
    """

    def __init__(self, name: str = "upload") -> None:
        if settings.FILE_UPLOAD_TEMP_DIR:
            Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
        self.file = TemporaryUploadedFile(name[:200], "application/octet-stream", None, None)
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > settings.DAM_MAX_UPLOAD_BYTES:
            raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE,
                           f"The file is larger than the limit of {settings.DAM_MAX_UPLOAD_MB} MB.")
        written: int = self.file.write(data)
        return written

    def close(self) -> None:
        self.file.flush()
        self.file.size = self.size
        self.file.seek(0)

    def discard(self) -> None:
        self.file.close()  # gone already if the storage moved it into place
