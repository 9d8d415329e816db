"""Hostile and awkward files against the real components (issue #31): the rendition worker as a real `qcluster`,
S3 through moto's server, and the one orientation file the upright-thumbnail tests did not look at."""
from __future__ import annotations

import io
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from assets.models import AssetVersion
from assets.services.renditions import RENDITION_TIMEOUT
from tests.assets import test_workers_and_s3 as real
from tests.assets.test_renditions import ingest, thumb_image
from tests.assets.test_workers_and_s3 import MANAGE, ROOT, keys, qcluster, worker_env
from tests.factories import png_bytes
from tests.ingest.helpers import CORPUS, open_batch, send

# The real components' fixtures (a database for the worker, the moto server), under the names tests ask for.
worker_database = real.worker_database
s3_endpoint = real.s3_endpoint
s3_storage = real.s3_storage


def grey_distance(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]


def test_a_portrait_taken_with_the_camera_turned_gets_an_upright_thumbnail(people,
                                                                            django_capture_on_commit_callbacks):
    from assets.renditions import to_srgb

    # tests/assets/test_renditions.py turns orientation_landscape_2..8 against _1; the portrait has no upright
    # twin in the corpus, so Pillow's reading of its EXIF orientation (and of its colour profile) is the reference.
    thumb = thumb_image(ingest("real/orientation_portrait_6.jpg", people, django_capture_on_commit_callbacks))
    with Image.open(CORPUS / "real/orientation_portrait_6.jpg") as original:
        assert original.size == (600, 450)  # stored on its side
        upright = to_srgb(ImageOps.exif_transpose(original), original.info.get("icc_profile"))
    assert thumb.size == (300, 400)
    upright = upright.resize(thumb.size, Image.Resampling.LANCZOS)
    distance = grey_distance(upright, thumb)
    assert distance < 8, f"{distance:.1f} away from upright"
    for wrong in (thumb.rotate(180), ImageOps.mirror(thumb), ImageOps.flip(thumb)):
        assert grey_distance(upright, wrong) > 3 * distance


# --- S3 ------------------------------------------------------------------------------------------

def jpeg_bytes(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("same_bytes", [False, True], ids=["two-photos", "one-photo-kept-twice"])
def test_the_same_file_name_twice_gets_two_objects_in_s3(same_bytes, api, s3_storage):
    client, bucket = s3_storage
    first = jpeg_bytes((200, 40, 40))
    second = first if same_bytes else jpeg_bytes((40, 40, 200))
    # "Keep both" lets the very same bytes in twice: the strictest case for a key made from the name or content.
    batch = open_batch(api["editor"], on_duplicate="keep_both")
    items = [send(api["editor"], batch["id"], data, "photo.jpg")[0] for data in (first, second)]
    assert [i["outcome"] for i in items] == ["created", "created"], items
    versions = [AssetVersion.objects.get(asset__uid=i["asset"]["uid"]) for i in items]
    assert [v.original_filename for v in versions] == ["photo.jpg", "photo.jpg"]
    stored = [v.file.name for v in versions]
    assert stored[0] != stored[1]
    assert set(stored) <= keys(client, bucket)
    for key, data in zip(stored, (first, second), strict=True):
        assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data  # neither overwrote the other


# --- a real qcluster -----------------------------------------------------------------------------

CRASH_TIF = "pillow_crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif"
CRASH_SGI = "pillow_crash-465703f71a0f0094873a3e0e82c9f798161171b8.sgi"
BOMB_GIF = "pillow_decompression_bomb_extents.gif"


def renditions_by_file(url: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{original file name: {preset: (status, error)}} in the worker's database."""
    query = ("SELECT v.original_filename, r.preset, r.status, r.error FROM assets_rendition r "
             "JOIN assets_assetversion v ON v.id = r.version_id")
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            rows = db.execute(query).fetchall()
    else:
        import psycopg
        with psycopg.connect(url) as db:
            rows = db.execute(query).fetchall()
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for name, preset, status, error in rows:
        found.setdefault(name, {})[preset] = (status, error)
    return found


def settled(url: str, names: set[str], seconds: float) -> dict[str, dict[str, tuple[str, str]]]:
    """The renditions once those of `names` are none pending, or as they are after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = renditions_by_file(url)
        done = names <= set(found) and all(status != "pending" for n in names for status, _ in found[n].values())
        if done or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def import_folder(env: dict[str, str], folder: Path) -> subprocess.CompletedProcess:
    """import_assets on a folder; it exits 1 when a file was refused, which is an answer here, not a failure."""
    return subprocess.run([*MANAGE, "import_assets", str(folder)],  # noqa: S603
                          env=env, cwd=ROOT, timeout=120, capture_output=True, text=True)


@pytest.mark.slow
def test_crash_and_bomb_files_fail_in_a_real_worker_that_carries_on(tmp_path, worker_database):
    env = worker_env(tmp_path, worker_database)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (CRASH_TIF, CRASH_SGI, BOMB_GIF):
        (folder / name).write_bytes((CORPUS / "bad" / name).read_bytes())
    (folder / "harbour.png").write_bytes(png_bytes(7, size=(640, 480)))
    imported = import_folder(env, folder)
    # The SGI's content is not an SGI image: refused at ingest, with the reason, before any decoder saw it.
    assert imported.returncode == 1, imported.stderr
    refused = [line for line in imported.stdout.splitlines() if line.startswith("rejected")]
    assert len(refused) == 1 and CRASH_SGI in refused[0] and "named like a SGI" in refused[0], imported.stdout
    stored = {CRASH_TIF, BOMB_GIF, "harbour.png"}

    with qcluster(env) as cluster:
        # Up to one job timeout: the files behind the crashing ones wait while the single worker dies and is
        # replaced three times (on a loaded machine past half the timeout); a decoder that hung is still pending here.
        found = settled(worker_database, stored, seconds=RENDITION_TIMEOUT)
        assert cluster.poll() is None, "the cluster died"
        assert set(found) == stored
        assert {p: s for p, (s, _) in found["harbour.png"].items()} == dict.fromkeys(("thumb", "preview", "web"),
                                                                                    "ready")
        # The fuzzer's TIFF: every preset failed, each with its reason.
        assert {s for s, _ in found[CRASH_TIF].values()} == {"failed"}
        assert all(e.startswith("Preview unavailable: ") for _, e in found[CRASH_TIF].values()), found[CRASH_TIF]
        # The GIF whose later frame is a bomb: previews of its first frame, or failures with a reason.
        for status, error in found[BOMB_GIF].values():
            assert status == "ready" or (status == "failed" and error.startswith("Preview unavailable: "))

        # And the same worker still makes the next file's renditions.
        after = tmp_path / "after"
        after.mkdir()
        (after / "next.png").write_bytes(png_bytes(8, size=(640, 480)))
        assert import_folder(env, after).returncode == 0
        # Up to one job timeout again: other jobs of the crashing files (colours, fingerprints) may still be
        # ahead of it in the queue, each killing the single worker up to three times before it gives up.
        found = settled(worker_database, {"next.png"}, seconds=RENDITION_TIMEOUT)
        assert {s for s, _ in found["next.png"].values()} == {"ready"}
        assert cluster.poll() is None
