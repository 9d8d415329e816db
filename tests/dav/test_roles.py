"""Every WebDAV method against every persona: who may read, who may write, and what the others are told.

One test walks the whole table (a transactional live-server test costs a database refill each), and reports
every cell that differs at once.
"""
from __future__ import annotations

import pytest

from assets.models import Asset
from tests.dav.conftest import Drive, png
from workflows.models import AssetLock

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after

F = "/Library/Drive"
PERSONAS = ("admin", "editor", "contributor", "viewer", "outsider", "read_only")
HIDDEN = 404  # what one may not see is missing; a PUT or MKCOL below a missing folder is a conflict (RFC 4918)
PARENT_MISSING = 409

# persona: status, in PERSONAS' order.
EXPECTED = {
    "OPTIONS folder": (200, 200, 200, 200, HIDDEN, 200),
    "PROPFIND folder": (207, 207, 207, 207, HIDDEN, 207),
    "GET approved": (200, 200, 200, 200, HIDDEN, 200),
    "HEAD approved": (200, 200, 200, 200, HIDDEN, 200),
    "GET draft": (200, 200, 200, HIDDEN, HIDDEN, 200),
    "PUT new name": (201, 201, 201, 403, PARENT_MISSING, 403),
    "PUT onto approved": (204, 204, 403, 403, PARENT_MISSING, 403),
    "MKCOL": (201, 403, 403, 403, PARENT_MISSING, 403),
    "PROPPATCH approved": (207, 207, 207, 207, HIDDEN, 403),
    "COPY approved": (403, 403, 403, 403, HIDDEN, 403),
    "MOVE approved": (403, 403, 403, 403, HIDDEN, 403),
    "LOCK approved": (200, 200, 403, 403, PARENT_MISSING, 403),  # locking a missing name would make it
    "UNLOCK approved": (204, 204, None, None, None, None),
    "DELETE approved": (403, 403, 403, 403, HIDDEN, 403),
    "DELETE draft": (403, 403, 204, HIDDEN, HIDDEN, 403),
}
PROPPATCH = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example"><D:set><D:prop>'
             '<Z:colour>red</Z:colour></D:prop></D:set></D:propertyupdate>')


def _row(drive: Drive, persona: str, seed: int) -> dict[str, int | None]:
    token = drive.tokens["read_only"] if persona == "read_only" else None
    http = drive.http("editor" if persona == "read_only" else persona, token=token)
    got: dict[str, int | None] = {}
    got["OPTIONS folder"] = http.request("OPTIONS", f"{F}/").status_code
    got["PROPFIND folder"] = http.request("PROPFIND", f"{F}/", headers={"Depth": "1"}).status_code
    got["GET approved"] = http.get(f"{F}/approved.png").status_code
    got["HEAD approved"] = http.head(f"{F}/approved.png").status_code
    got["GET draft"] = http.get(f"{F}/draft.png").status_code
    got["PUT new name"] = http.put(f"{F}/new-{persona}.png", content=png(seed)).status_code
    got["PUT onto approved"] = http.put(f"{F}/approved.png", content=png(seed + 1)).status_code
    got["MKCOL"] = http.request("MKCOL", f"{F}/sub-{persona}/").status_code
    got["PROPPATCH approved"] = http.request("PROPPATCH", f"{F}/approved.png", content=PROPPATCH,
                                             headers={"Content-Type": "application/xml"}).status_code
    destination = {"Destination": f"{drive.url}{F}/copy-{persona}.png"}
    got["COPY approved"] = http.request("COPY", f"{F}/approved.png", headers=destination).status_code
    got["MOVE approved"] = http.request("MOVE", f"{F}/approved.png", headers=destination).status_code
    locked = drive.lock(http, f"{F}/approved.png", owner=persona)
    got["LOCK approved"] = locked.status_code
    got["UNLOCK approved"] = None
    if locked.status_code == 200:
        got["UNLOCK approved"] = http.request("UNLOCK", f"{F}/approved.png",
                                              headers={"Lock-Token": locked.headers["Lock-Token"]}).status_code
    got["DELETE approved"] = http.delete(f"{F}/approved.png").status_code
    got["DELETE draft"] = http.delete(f"{F}/draft.png").status_code
    return got


def test_every_method_answers_each_role_as_the_permission_authority_says(drive: Drive) -> None:
    differences = []
    # The contributor deletes their draft: those after them would find it gone, so they go last.
    for index, persona in enumerate(sorted(PERSONAS, key=lambda p: p == "contributor")):
        got = _row(drive, persona, seed=1000 + index * 10)
        for request, statuses in EXPECTED.items():
            expected = statuses[PERSONAS.index(persona)]
            if got[request] != expected:
                differences.append(f"{persona:12} {request:20} expected {expected}, got {got[request]}")
    assert not differences, "\n" + "\n".join(differences)
    # What the writes left: two new revisions of the approved asset (admin's and editor's), three new assets,
    # no check-out left behind, the draft discarded.
    drive.approved.refresh_from_db()
    assert drive.approved.versions.count() == 3
    assert {v.change_note for v in drive.approved.versions.exclude(number=1)} == {"Saved from pytest"}
    assert set(Asset.objects.filter(collection=drive.folder).values_list("current_version__original_filename",
                                                                         flat=True)) == {
        "approved.png", "new-admin.png", "new-editor.png", "new-contributor.png"}
    assert not AssetLock.objects.exists()


def test_no_credentials_is_asked_for_them_and_a_wrong_token_is_refused(drive: Drive) -> None:
    import httpx

    for method in ("OPTIONS", "PROPFIND", "GET", "PUT", "MOVE", "COPY", "LOCK", "UNLOCK", "DELETE"):
        answer = httpx.request(method, f"{drive.url}{F}/approved.png")
        assert answer.status_code == 401, method
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")
    wrong = httpx.request("PROPFIND", f"{drive.url}/", auth=(drive.people["editor"].username, "not-a-token"))
    assert wrong.status_code == 401
    # Another person's token under one's own name is no sign-in either.
    borrowed = httpx.request("PROPFIND", f"{drive.url}/", auth=(drive.people["viewer"].username,
                                                                  drive.tokens["admin"]))
    assert borrowed.status_code == 401


def test_a_webdav_client_browses_uploads_downloads_and_is_refused_politely(drive: Drive) -> None:
    import io

    from webdav4.client import ForbiddenOperation, HTTPError

    editor = drive.webdav("editor")
    names = {entry["name"].rsplit("/", 1)[-1] for entry in editor.ls(f"{F}/", detail=True)}
    assert names == {"approved.png", "draft.png"}
    photo = png(777)
    editor.upload_fileobj(io.BytesIO(photo), f"{F}/from-webdav4.png")
    got = io.BytesIO()
    editor.download_fileobj(f"{F}/from-webdav4.png", got)
    assert got.getvalue() == photo
    assert editor.exists(f"{F}/from-webdav4.png") and not editor.exists(f"{F}/nothing.png")
    with pytest.raises(ForbiddenOperation):  # webdav4's reading of a 403 on MOVE
        editor.move(f"{F}/from-webdav4.png", f"{F}/renamed.png")
    viewer = drive.webdav("viewer")
    assert {e["name"].rsplit("/", 1)[-1] for e in viewer.ls(f"{F}/", detail=True)} == {"approved.png"}
    with pytest.raises(HTTPError):
        viewer.upload_fileobj(io.BytesIO(png(778)), f"{F}/viewer.png")
    assert not Asset.objects.filter(current_version__original_filename="viewer.png").exists()
