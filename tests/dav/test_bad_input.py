"""Hostile and broken requests: each a clear 4xx, nothing stored half, never a 500.

Through Django's test client (no live server needed), which sends the path and headers exactly as written.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from accounts.services import token_create
from assets.models import Asset
from dav.models import DavLock, ScratchFile
from tests.dav.conftest import LOCK_BODY, png
from tests.factories import library, make_collection, upload_as

pytestmark = pytest.mark.django_db

BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>'
        '&lol3;</D:displayname></D:prop></D:propfind>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>')


class Dav:
    def __init__(self, user: Any):
        self.client = Client()
        secret = token_create(user=user, name="drive", actor=None)[1]
        self.auth = "Basic " + base64.b64encode(f"{user.username}:{secret}".encode()).decode()

    def __call__(self, method: str, path: str, body: bytes | str = b"", **headers: str) -> tuple[int, bytes]:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = self.client.generic(method, path, data=body, content_type=headers.pop("content_type", ""),
                                       HTTP_AUTHORIZATION=self.auth, **extra)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, content


@pytest.fixture
def folder(people: dict[str, Any]) -> Any:
    return make_collection("Drive", parent=library())


def test_xml_that_is_broken_a_bomb_or_reaches_outside_is_refused(people: dict[str, Any], folder: Any) -> None:
    dav = Dav(people["editor"])
    for body in ("<D:propfind xmlns:D='DAV:'><D:prop>", BOMB, EXTERNAL):
        status, content = dav("PROPFIND", "/dav/Library/Drive/", body, depth="1")
        assert status == 400, body
        assert b"root:" not in content and b"lollollol" not in content
    status, _ = dav("LOCK", "/dav/Library/Drive/x.png", BOMB)
    assert status == 400
    status, _ = dav("PROPFIND", "/dav/Library/Drive/", b"<a>" + b" " * (1024 * 1024 + 10) + b"</a>", depth="1")
    assert status == 413
    assert not DavLock.objects.exists() and not ScratchFile.objects.exists()


@pytest.mark.parametrize("path", [
    "/dav/Library/../Library/Drive/",
    "/dav/Library/%2e%2e/Library/Drive/",
    "/dav/Library/Drive/./x.png",
    "/dav/Library/Drive/a%00b.png",
    "/dav/Library/Drive/a%0Ab.png",
    "/dav/Library/Drive/" + "n" * 256 + ".png",
])
def test_paths_that_climb_hide_a_nul_or_are_too_long_are_refused(people: dict[str, Any], folder: Any,
                                                                  path: str) -> None:
    dav = Dav(people["editor"])
    assert dav("PUT", path, png())[0] == 400
    assert dav("PROPFIND", path, depth="0")[0] == 400
    assert not Asset.objects.filter(collection=folder).exists() and not ScratchFile.objects.exists()


def test_a_destination_elsewhere_is_refused(people: dict[str, Any], folder: Any) -> None:
    dav = Dav(people["editor"])
    assert dav("PUT", "/dav/Library/Drive/~$temp.png", png())[0] == 201
    for destination in ("http://elsewhere.example/dav/Library/Drive/x.png", "http://testserver/api/v1/assets/",
                        "/static/x.png", "http://testserver/dav/Library/Drive/../../x.png"):
        status, _ = dav("MOVE", "/dav/Library/Drive/~$temp.png", destination=destination)
        assert status == 400, destination
    assert dav("MOVE", "/dav/Library/Drive/~$temp.png")[0] == 400  # no Destination at all
    assert ScratchFile.objects.get().name == "~$temp.png"


def test_a_listing_of_everything_below_is_refused(people: dict[str, Any], folder: Any) -> None:
    status, content = Dav(people["admin"])("PROPFIND", "/dav/", depth="infinity")
    assert status == 403 and b"propfind-finite-depth" in content


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(people: dict[str, Any], folder: Any,
                                                                     settings: Any) -> None:
    settings.DAM_MAX_UPLOAD_MB = 1
    settings.DAM_MAX_UPLOAD_BYTES = 2000  # below the middleware's allowance: the body is counted as it arrives
    dav = Dav(people["editor"])
    status, content = dav("PUT", "/dav/Library/Drive/big.png", png() + b"\x00" * 5000)
    assert status == 413 and b"limit" in content
    status, _ = dav("PUT", "/dav/Library/Drive/big.tmp", b"\x00" * 5000)
    assert status == 413
    settings.DAM_MAX_UPLOAD_BYTES = 3 * 1024 * 1024  # and one the middleware stops from its Content-Length
    assert dav("PUT", "/dav/Library/Drive/bigger.png", b"\x00" * (4 * 1024 * 1024 + 10))[0] == 413
    assert not Asset.objects.filter(collection=folder).exists() and not ScratchFile.objects.exists()
    temp = settings.FILE_UPLOAD_TEMP_DIR
    assert not list(temp.glob("*.upload*"))


def test_someone_elses_lock_token_opens_nothing(people: dict[str, Any], folder: Any) -> None:
    asset = upload_as(people["editor"], folder)
    name = asset.current_version.original_filename
    editor, admin = Dav(people["editor"]), Dav(people["admin"])
    status, _ = editor("LOCK", f"/dav/Library/Drive/{name}", LOCK_BODY.format(owner="e"), timeout="Second-60")
    assert status == 200
    token = DavLock.objects.get().token
    assert admin("UNLOCK", f"/dav/Library/Drive/{name}", lock_token=f"<{token}>")[0] == 403
    assert admin("PUT", f"/dav/Library/Drive/{name}", png(), **{"if": f"(<{token}>)"})[0] in (412, 423)
    assert admin("LOCK", f"/dav/Library/Drive/{name}", b"", **{"if": f"(<{token}>)"})[0] in (403, 412, 423)
    assert admin("DELETE", f"/dav/Library/Drive/{name}", **{"if": f"(<{token}>)"})[0] in (403, 412, 423)
    assert asset.versions.count() == 1
    assert DavLock.objects.get().token == token


def test_guessing_meets_429_but_the_right_token_still_signs_in(people: dict[str, Any]) -> None:
    client, editor = Client(), people["editor"]
    wrong = "Basic " + base64.b64encode(f"{editor.username}:guess".encode()).decode()
    statuses = [client.generic("PROPFIND", "/dav/", HTTP_AUTHORIZATION=wrong).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    refused = client.generic("PROPFIND", "/dav/", HTTP_AUTHORIZATION=wrong)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # Asking without credentials is no failed attempt, and the owner's desktop client carries on.
    assert client.generic("OPTIONS", "/dav/").status_code == 401
    assert Dav(editor)("PROPFIND", "/dav/", depth="1")[0] == 207
