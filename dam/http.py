"""Request types for views that only signed-in users reach (for the type checker).

`login_required` and the API's permission classes guarantee `request.user` is a
real User there; these types say so, instead of casting in every view.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse, HttpRequest
from rest_framework.request import Request


class StreamedFile(FileResponse):
    """A file response read in 1 MiB blocks.

    FileResponse reads 4 KiB at a time by default (the block it also hands a server's wsgi.file_wrapper), which
    holds a large original's download to a fraction of the disk's speed; 1 MiB still never loads a file whole.
    """

    block_size = 1024 * 1024

if TYPE_CHECKING:
    from accounts.models import User

    class AuthedHttpRequest(HttpRequest):
        user: User  # type: ignore[assignment]

    class AuthedRequest(Request):
        user: User  # type: ignore[assignment,misc]

else:
    AuthedHttpRequest = HttpRequest
    AuthedRequest = Request
