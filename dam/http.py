"""Request types for views that only signed-in users reach (for the type checker).

`login_required` and the API's permission classes guarantee `request.user` is a
real User there; these types say so, instead of casting in every view.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User

    class AuthedHttpRequest(HttpRequest):
        user: User  # type: ignore[assignment]

    class AuthedRequest(Request):
        user: User  # type: ignore[assignment,misc]

else:
    AuthedHttpRequest = HttpRequest
    AuthedRequest = Request
