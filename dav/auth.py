"""Sign-in for the drive: HTTP Basic with a username and one of that person's API tokens.

Throttled like every other credential surface (accounts.throttle), with the drive's own rule from DESIGN.md:
a request without credentials is no failed attempt (every client sends one first to learn the realm), and
valid credentials are never refused for the failures of others. A desktop client sends hundreds of requests
a minute, and somebody guessing at Ana's account must not lock her Photoshop out. Checking the credentials
before the count tells a guesser nothing: the tokens are 256 random bits.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from accounts import throttle
from accounts.models import ApiToken, User
from accounts.selectors import token_for_key

SCOPE = "dav"
REALM = "DAM drive"


@dataclass(frozen=True)
class Credentials:
    user: User
    token: ApiToken

    @property
    def may_write(self) -> bool:
        return self.token.scope == ApiToken.Scope.WRITE


def _challenge(message: str, status: int = 401) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    if status == 401:
        response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    username, _, secret = decoded.partition(":")
    return username, secret


def sign_in(request: HttpRequest) -> Credentials | HttpResponse:
    """The person behind the request, or the answer to send instead (401, or 429 with Retry-After)."""
    sent = _basic(request)
    if sent is None:
        return _challenge("Sign in with your username and an API token (your page in the DAM makes one).")
    username, secret = sent
    token = token_for_key(secret) if secret else None
    if token is not None and token.user.username == username:
        return Credentials(token.user, token)
    keys = (throttle.client_address(request), f"user-{username.lower()[:150]}")
    wait = throttle.retry_after(SCOPE, *keys)
    if wait is not None:
        response = _challenge(f"Too many failed sign-ins. Try again in {wait} seconds.", status=429)
        response["Retry-After"] = str(wait)
        return response
    throttle.failed(SCOPE, *keys)
    return _challenge("That username and token do not match an active API token.")
