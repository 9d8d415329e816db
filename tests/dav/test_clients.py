"""Real WebDAV clients against a live server: litmus (the compliance suite), rclone, cadaver and a davfs2 mount.

Each runs a program of its own (Debian packages, installed by .ci/run) and skips, saying why, when it is missing.
They are `slow`: the SQLite suite runs them, the PostgreSQL suite leaves them out (Makefile).

litmus's failures must all be deliberate refusals, each explained in docs/dav.md ("Refusals"); the figures it
prints are in docs/dav.md ("Compliance (litmus)").
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.services import token_create
from assets.models import Asset, Collection, ReviewState
from assets.services import collection_grant
from tests.factories import library, make_asset, make_collection, make_user, png_bytes
from workflows.models import AssetLock

# Transactional: the live server sees only committed data (serialized_rollback: the roles' groups, for the tests after).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUITES = ("basic", "copymove", "props", "locks", "http")

# litmus tests that fail on purpose, by (suite, test): the value is the heading of its entry in docs/dav.md's
# "Refusals". A test named here that passes is printed, not failed, so the list only shrinks by a decision.
REFUSALS = {
    ("copymove", "copy_simple"): "Copies of assets",
    ("copymove", "copy_overwrite"): "Copies of assets",
    ("copymove", "copy_coll"): "Folders are not copied or moved",
    ("copymove", "copy_shallow"): "Folders are not copied or moved",
    ("copymove", "move"): "Assets are not renamed or moved",
    ("copymove", "move_coll"): "Folders are not copied or moved",
    ("locks", "copy"): "Copies of assets",
    ("props", "propset"): "Properties",
    ("props", "propget"): "Properties",
    ("props", "propmanyns"): "Properties",
    ("locks", "owner_modify"): "Properties",  # its PROPPATCH on the locked file; its PUT passes
}
# litmus writes the same few bytes under many names; the DAM keeps one asset per file and refuses the others
# (409, "Duplicates"). These tests fail on that alone: the run with the duplicate rule switched off shows that
# they pass otherwise.
DUPLICATES = {
    ("basic", "put_get_utf8_segment"), ("copymove", "copy_coll"), ("copymove", "move"), ("copymove", "move_coll"),
    ("props", "propinit"), ("props", "propmanyns"), ("locks", "put"), ("locks", "owner_modify"), ("locks", "cond_put"),
    ("locks", "cond_put_with_not"), ("locks", "complex_cond_put"), ("locks", "lock_collection"),
    ("locks", "indirect_refresh"),  # its file was refused as a duplicate, so there is nothing to refresh through
}


@dataclass
class Scratch:
    """A folder the person manages, reached through the drive at `url`, and their credentials."""

    url: str
    user: User
    token: str
    collection: Collection
    server: str

    def assets(self) -> list[Asset]:
        return list(Asset.objects.filter(collection=self.collection).select_related("current_version")
                    .order_by("pk"))


@pytest.fixture
def scratch(live_server: Any) -> Scratch:
    """Dana, an editor who manages /dav/Library/clients/, with a read-and-write token (as the drive page makes)."""
    dana = make_user("dana", Role.EDITOR)
    folder = make_collection("clients", parent=library())
    collection_grant(collection=folder, level="manage", actor=None, user=dana)
    _, key = token_create(user=dana, name="WebDAV drive", actor=None)
    return Scratch(f"{live_server.url}/dav/Library/clients/", dana, key, folder, live_server.url)


def needs(program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (Debian package; .ci/run installs it)")


# --- litmus ----------------------------------------------------------------------------------------------

_LITMUS = re.compile(r"(?P<num>\d+)\. (?P<name>\w+)|[.\s](?P<result>pass|FAIL|SKIPPED)\b")


def litmus_results(output: str) -> dict[tuple[int, str], str]:
    """(number, test) -> pass / FAIL / SKIPPED, from litmus's progress lines (which repeat each test's name,
    and put a result after any warnings on a line of its own)."""
    results: dict[tuple[int, str], str] = {}
    current = None
    for match in _LITMUS.finditer(output):
        if match.group("name"):
            current = (int(match.group("num")), match.group("name"))
        elif current is not None:
            results.setdefault(current, match.group("result"))
    return results


@pytest.mark.parametrize("duplicates", ["refused", "allowed"])
def test_litmus_passes_but_for_the_documented_refusals(duplicates: str, scratch: Scratch, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    needs("litmus")
    explained = dict(REFUSALS)
    if duplicates == "allowed":
        # The live server runs in this process: switching the rule off here switches it off there.
        monkeypatch.setattr("assets.services.assets.find_duplicate", lambda sha256, actor: None)
        monkeypatch.setattr("assets.services.find_duplicate", lambda sha256, actor: None)
    else:
        explained.update({key: "Duplicates" for key in DUPLICATES if key not in REFUSALS})
    failed: dict[tuple[str, str], str] = {}
    counts = []
    for suite in SUITES:
        # A folder per suite: one suite's leftovers cannot make the next one's MKCOL fail.
        make_collection(f"litmus-{suite}", parent=scratch.collection)
        done = subprocess.run(["litmus", f"{scratch.url}litmus-{suite}/", scratch.user.username, scratch.token],  # noqa: S603, S607
                              env={**os.environ, "TESTS": suite}, cwd=tmp_path, capture_output=True, timeout=600,
                              check=False)
        output = done.stdout.decode("utf-8", "replace")
        results = litmus_results(output)
        assert results, f"litmus printed no results for {suite}:\n{output}\n{done.stderr.decode(errors='replace')}"
        tally = {kind: sum(result == kind for result in results.values()) for kind in ("pass", "FAIL", "SKIPPED")}
        counts.append(f"{suite}: {tally['pass']} of {len(results)} passed, {tally['FAIL']} failed, "
                      f"{tally['SKIPPED']} skipped")
        for (_, name), result in results.items():
            if result == "FAIL":
                line = next((line for line in output.splitlines() if f"{name}." in line and "FAIL" in line), "")
                failed[(suite, name)] = line.split("FAIL", 1)[-1].strip()
    print("litmus:", "; ".join(counts))
    for (suite, name), why in failed.items():
        print(f"  failed: {suite}/{name} {why[:160]}")
    for key, reason in explained.items():
        print(f"  refused on purpose: {key[0]}/{key[1]} ({reason})" if key in failed
              else f"  listed as refused but passed: {key[0]}/{key[1]}")
    unexplained = {key: why for key, why in failed.items() if key not in explained}
    assert not unexplained, "litmus failures that are no documented refusal:\n" + "\n".join(
        f"{suite}/{name}: {why}" for (suite, name), why in unexplained.items())


def test_the_litmus_reader_reads_every_test_once() -> None:
    sample = (" 3. put_get...............  3. put_get............... pass\n"
              " 9. notowner_modify....... WARNING: COPY failed with 404 not 423\n"
              "    ...................... pass (with 1 warning)\n"
              "18. cond_put_corrupt_token 18. cond_put_corrupt_token pass\n"
              " 5. propinit..............  5. propinit.............. FAIL (PUT of `x': 409 Conflict)\n"
              " 6. propset...............  6. propset............... SKIPPED\n")
    assert litmus_results(sample) == {(3, "put_get"): "pass", (9, "notowner_modify"): "pass",
                                      (18, "cond_put_corrupt_token"): "pass", (5, "propinit"): "FAIL",
                                      (6, "propset"): "SKIPPED"}


# --- rclone ----------------------------------------------------------------------------------------------

def test_rclone_uploads_lists_downloads_and_saves_a_new_revision(scratch: Scratch, tmp_path: Path) -> None:
    needs("rclone")
    obscured = subprocess.run(["rclone", "obscure", scratch.token], capture_output=True, text=True,  # noqa: S603, S607
                              check=True).stdout.strip()
    env = {**os.environ, "RCLONE_CONFIG": str(tmp_path / "none.conf"), "RCLONE_CONFIG_DAM_TYPE": "webdav",
           "RCLONE_CONFIG_DAM_URL": scratch.url, "RCLONE_CONFIG_DAM_VENDOR": "other",
           "RCLONE_CONFIG_DAM_USER": scratch.user.username, "RCLONE_CONFIG_DAM_PASS": obscured}

    def rclone(*args: str) -> str:
        done = subprocess.run(["rclone", "--retries", "1", "--low-level-retries", "1", *args], env=env,  # noqa: S603, S607
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"rclone {' '.join(args)}: {done.stderr}"
        return done.stdout

    first, second = tmp_path / "harbour.png", tmp_path / "harbour-retouched.png"
    first.write_bytes(png_bytes(7001))
    # Another size: with vendor "other" rclone cannot set times on the server and compares sizes only.
    second.write_bytes(png_bytes(7002, size=(80, 60)))
    rclone("copyto", str(first), "dam:harbour.png")
    [asset] = scratch.assets()
    assert asset.current_version.original_filename == "harbour.png"
    assert "harbour.png" in rclone("lsf", "dam:").splitlines()
    rclone("copyto", "dam:harbour.png", str(tmp_path / "back.png"))
    assert (tmp_path / "back.png").read_bytes() == first.read_bytes()
    # Saving over it: a new draft revision, from rclone, the first one kept whole.
    rclone("copyto", str(second), "dam:harbour.png")
    [asset] = scratch.assets()
    versions = list(asset.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].review_state == ReviewState.DRAFT and versions[1].change_note == "Saved from rclone"
    assert versions[0].sha256 != versions[1].sha256
    rclone("copyto", "dam:harbour.png", str(tmp_path / "back2.png"))
    assert (tmp_path / "back2.png").read_bytes() == second.read_bytes()


# --- cadaver ---------------------------------------------------------------------------------------------

class Cadaver:
    """cadaver driven through its prompt, one command at a time, so the test can look at the DAM between two."""

    def __init__(self, url: str, home: Path):
        self.process = subprocess.Popen(["stdbuf", "-oL", "cadaver", url],  # noqa: S603, S607
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env={**os.environ, "HOME": str(home)}, cwd=home)
        self.output = ""
        self._until("dav:")

    def _until(self, text: str, seconds: float = 60) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + seconds
        start = len(self.output)
        while text not in self.output[start:]:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(left, 0))
            chunk = os.read(self.process.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                raise AssertionError(f"cadaver stopped or did not say {text!r}:\n{self.output}")
            self.output += chunk.decode("utf-8", "replace")
        return self.output[start:]

    def do(self, command: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()
        return self._until("dav:")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.write(b"quit\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def cadaver(scratch: Scratch, tmp_path: Path) -> Iterator[Cadaver]:
    needs("cadaver")
    needs("stdbuf")
    host = scratch.server.split("://", 1)[1].split(":", 1)[0]
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine {host}\nlogin {scratch.user.username}\npassword {scratch.token}\n")
    netrc.chmod(0o600)
    client = Cadaver(scratch.url, tmp_path)
    yield client
    client.close()


def test_cadaver_locks_saves_and_unlocks_and_the_asset_page_shows_the_check_out(
        cadaver: Cadaver, scratch: Scratch, tmp_path: Path, client: Any) -> None:
    (tmp_path / "one.png").write_bytes(png_bytes(7101))
    (tmp_path / "two.png").write_bytes(png_bytes(7102))
    assert "succeeded" in cadaver.do("put one.png poster.png")
    [asset] = scratch.assets()
    assert "succeeded" in cadaver.do("lock poster.png")
    lock = AssetLock.objects.get(asset=asset)
    assert (lock.holder, lock.client) == (scratch.user, "cadaver")
    client.force_login(scratch.user)
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Checked out by <strong>you</strong> in cadaver (via the drive)" in page
    assert "succeeded" in cadaver.do("put two.png poster.png")
    assert AssetLock.objects.filter(asset=asset).exists()  # a save keeps the check-out
    assert asset.versions.count() == 2
    assert "succeeded" in cadaver.do("unlock poster.png")
    assert not AssetLock.objects.filter(asset=asset).exists()
    listing = cadaver.do("ls")
    assert "poster.png" in listing
    assert "succeeded" in cadaver.do("get poster.png back.png")
    assert (tmp_path / "back.png").read_bytes() == (tmp_path / "two.png").read_bytes()


# --- davfs2 ----------------------------------------------------------------------------------------------

def test_a_davfs2_mount_takes_a_copied_file_as_a_new_revision(scratch: Scratch, tmp_path: Path) -> None:
    needs("mount.davfs")
    if not Path("/dev/fuse").exists():
        pytest.skip("no /dev/fuse here: davfs2 cannot mount")
    if os.geteuid() != 0:
        pytest.skip("davfs2 mounts here need root (no fstab entry for an ordinary user)")
    asset = make_asset(scratch.user, scratch.collection, title="Harbour", data=png_bytes(7201),
                       filename="harbour.png")
    # davfs2 drops to a user of its own for its cache: a folder it can reach, outside pytest's private one.
    cache = Path(tempfile.mkdtemp(prefix="dam-davfs2-"))
    cache.chmod(0o777)
    mountpoint = tmp_path / "drive"
    mountpoint.mkdir()
    secrets = tmp_path / "secrets"
    secrets.write_text(f"{scratch.server}/dav/ {scratch.user.username} {scratch.token}\n")
    secrets.chmod(0o600)
    conf = tmp_path / "davfs2.conf"
    conf.write_text(f"secrets {secrets}\ncache_dir {cache}\nask_auth 0\nuse_locks 1\ndelay_upload 0\n")
    mounted = subprocess.run(["mount", "-t", "davfs", f"{scratch.server}/dav/", str(mountpoint),  # noqa: S603, S607
                              "-o", f"conf={conf}"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=60, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"davfs2 could not mount here: {mounted.stderr.strip() or mounted.stdout.strip()}")
    try:
        source = tmp_path / "retouched.png"
        source.write_bytes(png_bytes(7202))
        # `cp` over the asset's file. No directory listing: some sandboxes' FUSE refuses readdir (EINVAL)
        # while lookups, reads and writes work.
        subprocess.run(["cp", str(source), str(mountpoint / "Library" / "clients" / "harbour.png")],  # noqa: S603, S607
                       check=True, timeout=120)
    finally:
        # Unmounting waits for davfs2 to send what is still in its cache.
        subprocess.run(["umount", str(mountpoint)], capture_output=True, timeout=120, check=False)  # noqa: S603, S607
        shutil.rmtree(cache, ignore_errors=True)
    newest = asset.versions.order_by("-number").first()
    assert newest is not None and newest.number == 2, "the copy did not arrive as a new revision"
    assert newest.review_state == ReviewState.DRAFT and newest.change_note == "Saved from davfs2"
    assert newest.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
