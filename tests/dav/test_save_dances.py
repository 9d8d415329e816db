"""Desktop apps save in a dance of temporary files and renames; each dance must end as ONE new revision.

The sequences are the apps' own, as their documentation and public bug reports show them (docs/dav.md):
Word and Excel on a mapped drive rename the original aside and the new file into its place; Photoshop on
macOS writes a temporary file and moves it over the original, with Finder's AppleDouble file beside it;
LibreOffice keeps a lock file and saves in place; Finder copies a new file in as an empty file, a lock and
the content; scripts (rclone, curl) just PUT.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from assets.models import Asset
from dav.models import ScratchFile
from tests.dav.conftest import LOCK_BODY, Drive, png
from workflows.models import AssetLock

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after

F = "/Library/Drive"
NAME = "approved.png"
NEW = "{new}"  # the new content's bytes
OLD = "{old}"  # the asset's current bytes


@dataclass
class Step:
    method: str
    path: str
    expect: int | tuple[int, ...]
    body: str | None = None
    headers: dict[str, str] | None = None


def lock(path: str) -> Step:
    return Step("LOCK", path, (200, 201), body="lock")


def unlock(path: str) -> Step:
    return Step("UNLOCK", path, 204, headers={"Lock-Token": "{token}"})


def move(source: str, target: str, expect: int | tuple[int, ...] = (201, 204)) -> Step:
    """A MOVE that names the lock it holds on the original (a tagged If list: the original is the source of
    one move and the destination of the other)."""
    return Step("MOVE", source, expect, headers={"Destination": target, "Overwrite": "T",
                                                 "If": f"<{{dav}}/{NAME}> ({{token}})"})


DANCES = {
    # Word (Windows WebClient): owner file, new content to ~WRD, original aside to ~WRL, new into place.
    "Word": ("Microsoft Office Word 2016 (16.0.4266) Windows NT 10.0", [
        lock(NAME),
        Step("PUT", "~$approved.png", 201, body="owner"),
        Step("PUT", "~WRD0000.tmp", 201, body=NEW),
        move(NAME, "~WRL0001.tmp"),
        Step("PROPFIND", NAME, 404),
        move("~WRD0000.tmp", NAME),
        Step("DELETE", "~WRL0001.tmp", 204),
        Step("DELETE", "~$approved.png", 204),
        unlock(NAME),
    ]),
    # Excel: the new copy under eight hex digits, the original aside as a .tmp, the copy into place.
    "Excel": ("Microsoft Office Excel 2016 (16.0.4266) Windows NT 10.0", [
        lock(NAME),
        Step("PUT", "~$approved.png", 201, body="owner"),
        Step("PUT", "3A1F0B2C", 201, body=NEW),
        move(NAME, "5E2D9C11.tmp"),
        move("3A1F0B2C", NAME),
        Step("DELETE", "5E2D9C11.tmp", 204),
        Step("DELETE", "~$approved.png", 204),
        unlock(NAME),
    ]),
    # Windows' generic replace (reported against other servers): the original's lock is given up before the
    # temporary file, locked on its own, is moved over it.
    "Windows Explorer": ("Microsoft-WebDAV-MiniRedir/10.0.19045", [
        lock(NAME),
        Step("PUT", "~tmp8A2B.TMP", 201, body=NEW),
        unlock(NAME),
        Step("MOVE", "~tmp8A2B.TMP", (201, 204), headers={"Destination": NAME, "Overwrite": "T"}),
    ]),
    # Photoshop through Finder (WebDAVFS): AppleDouble beside the file, a temporary file moved over it.
    "Photoshop": ("WebDAVFS/3.0.0 (03008000) Darwin/21.6.0 (x86_64) Adobe Photoshop 2024", [
        Step("PROPFIND", "._approved.png", 404, headers={"Depth": "0"}),
        lock(NAME),
        Step("PUT", "._approved.png", 201, body="appledouble"),
        Step("PUT", "psB3C4.tmp", 201, body=NEW),
        move("psB3C4.tmp", NAME),
        unlock(NAME),
    ]),
    # LibreOffice: its lock file, a LOCK, and the save in place.
    "LibreOffice": ("LibreOffice 7.6 denylistedbackend/ neon/0.32", [
        Step("PUT", ".~lock.approved.png#", 201, body="lockfile"),
        lock(NAME),
        Step("PUT", NAME, 204, body=NEW, headers={"If": "({token})"}),
        unlock(NAME),
        Step("DELETE", ".~lock.approved.png#", 204),
    ]),
    # rclone or curl: one PUT.
    "rclone": ("rclone/v1.60.1", [Step("PUT", NAME, 204, body=NEW)]),
}


def _run(drive: Drive, agent: str, steps: list[Step], new: bytes) -> None:
    http = drive.http("editor", agent=agent)
    token = ""
    for number, step in enumerate(steps, 1):
        headers = {k: v.replace("{token}", token).replace("{dav}", f"{drive.url}{F}")
                   for k, v in (step.headers or {}).items()}
        if "Destination" in headers:
            headers["Destination"] = f"{drive.url}{F}/{headers['Destination']}"
        content: bytes | str | None = None
        if step.body == "lock":
            content = LOCK_BODY.format(owner="designer")
            headers.update({"Content-Type": "application/xml", "Timeout": "Second-3600"})
        elif step.body == NEW:
            content = new
        elif step.body is not None:
            content = step.body.encode()
        answer = http.request(step.method, f"{F}/{step.path}", content=content, headers=headers)
        expected = step.expect if isinstance(step.expect, tuple) else (step.expect,)
        assert answer.status_code in expected, f"step {number} {step.method} {step.path}: {answer.status_code} " \
                                               f"{answer.text[:300]}"
        if step.method == "LOCK":
            token = answer.headers["Lock-Token"].strip()
            # While it is open, the asset page says who has it and in which app.
            held = AssetLock.objects.get(asset=drive.approved)
            assert held.holder == drive.people["editor"]


@pytest.mark.parametrize("app", list(DANCES))
def test_a_save_dance_ends_as_one_new_revision(drive: Drive, app: str) -> None:
    agent, steps = DANCES[app]
    new = png(4242)
    _run(drive, agent, steps, new)
    asset = Asset.objects.get(pk=drive.approved.pk)
    assert asset.versions.count() == 2, [v.original_filename for v in asset.versions.all()]
    version = asset.current_version
    assert version is not None and version.review_state == "draft"
    assert version.change_note == f"Saved from {app}"
    assert version.uploaded_by == drive.people["editor"]
    with version.file.open("rb") as handle:
        assert handle.read() == new
    # The approved version is still the one everybody else sees; the dance left no check-out behind.
    assert asset.approved_version.number == 1
    assert not AssetLock.objects.filter(asset=asset).exists()
    # Nothing of the dance became an asset, and the drive shows the file under its name again.
    assert Asset.objects.filter(collection=drive.folder).count() == 2
    listing = drive.http("editor").request("PROPFIND", f"{F}/", headers={"Depth": "1"}).text
    assert f"{F}/{NAME}</" in listing
    leftover = set(ScratchFile.objects.values_list("name", flat=True))
    assert leftover <= {"._approved.png"}, leftover


def test_scratch_files_are_their_owners_alone_and_a_finder_copy_is_one_new_asset(drive: Drive) -> None:
    finder = drive.http("editor", agent="WebDAVFS/3.0.0 (03008000) Darwin/21.6.0 (x86_64)")
    photo = png(5150)
    assert finder.put(f"{F}/beach.png", content=b"").status_code == 201  # Finder creates the file empty first
    locked = drive.lock(finder, f"{F}/beach.png")
    assert locked.status_code == 200
    token = locked.headers["Lock-Token"]
    assert finder.put(f"{F}/._beach.png", content=b"\x00\x05\x16\x07appledouble").status_code == 201
    assert finder.put(f"{F}/.DS_Store", content=b"Bud1").status_code == 201
    assert finder.put(f"{F}/beach.png", content=photo, headers={"If": f"({token})"}).status_code in (201, 204)
    assert finder.request("UNLOCK", f"{F}/beach.png", headers={"Lock-Token": token}).status_code == 204
    created = Asset.objects.get(collection=drive.folder, current_version__original_filename="beach.png")
    assert created.versions.count() == 1 and created.owner == drive.people["editor"]
    # The editor sees their temporary files (apps check they are there); nobody else does.
    mine = finder.request("PROPFIND", f"{F}/", headers={"Depth": "1"}).text
    assert "._beach.png" in mine and ".DS_Store" in mine
    assert finder.get(f"{F}/._beach.png").content == b"\x00\x05\x16\x07appledouble"
    theirs = drive.http("admin").request("PROPFIND", f"{F}/", headers={"Depth": "1"}).text
    assert "beach.png" in theirs and "._beach.png" not in theirs and ".DS_Store" not in theirs
    assert drive.http("admin").get(f"{F}/._beach.png").status_code == 404
    # A day later the sweep has taken them away.
    from datetime import timedelta

    from django.utils import timezone

    from dav.services import scratch_sweep

    assert scratch_sweep(now=timezone.now() + timedelta(days=1, minutes=1)) == 2
    assert not ScratchFile.objects.exists()
