"""The drive against a live server: a folder with an approved asset and a contributor's draft, one API token
per persona, and HTTP clients that speak WebDAV (httpx for scripted requests, webdav4 for a client's view).

Live-server tests need committed data, so they are transactional; each module keeps to a few tests that
each run many requests, since every such test empties and refills the database.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from webdav4.client import Client

from accounts.models import ApiToken
from accounts.services import token_create
from tests.factories import approve_for_test, library, make_collection, png_bytes, upload_as

LOCK_BODY = ('<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
             '</D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>{owner}</D:href></D:owner>'
             '</D:lockinfo>')


@dataclass
class Drive:
    url: str
    people: dict[str, Any]
    tokens: dict[str, str]
    folder: Any
    approved: Any
    draft: Any
    opened: list[httpx.Client]

    def http(self, persona: str, *, agent: str = "pytest", token: str | None = None) -> httpx.Client:
        user = self.people[persona]
        client = httpx.Client(base_url=self.url, auth=(user.username, token or self.tokens[persona]),
                              headers={"User-Agent": agent}, timeout=30)
        self.opened.append(client)
        return client

    def webdav(self, persona: str) -> Client:
        user = self.people[persona]
        return Client(self.url, auth=(user.username, self.tokens[persona]), retry=False, timeout=30)

    def lock(self, client: httpx.Client, path: str, *, owner: str = "someone") -> httpx.Response:
        return client.request("LOCK", path, content=LOCK_BODY.format(owner=owner),
                              headers={"Content-Type": "application/xml", "Timeout": "Second-600", "Depth": "0"})


@pytest.fixture
def drive(live_server: Any, people: dict[str, Any]) -> Iterator[Drive]:
    """/dav/Library/Drive/ with approved.png (the admin's, approved) and draft.png (the contributor's own
    draft, never submitted)."""
    folder = make_collection("Drive", parent=library())
    approved = upload_as(people["admin"], folder, title="Approved")
    approve_for_test(approved)
    draft = upload_as(people["contributor"], folder, title="Draft")
    # The factories name every upload picture.png; the drive shows them by file name.
    for asset, name in ((approved, "approved.png"), (draft, "draft.png")):
        version = asset.current_version
        version.original_filename = name
        version.save(update_fields=["original_filename"])
    tokens = {name: token_create(user=user, name="drive", actor=None)[1] for name, user in people.items()}
    tokens["read_only"] = token_create(user=people["editor"], name="drive", scope=ApiToken.Scope.READ,
                                       actor=None)[1]
    opened: list[httpx.Client] = []
    yield Drive(f"{live_server.url}/dav", people, tokens, folder, approved, draft, opened)
    for client in opened:
        client.close()


def png(seed: int | None = None) -> bytes:
    return png_bytes(seed)
