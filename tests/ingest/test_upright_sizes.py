"""Width and height describe the picture as it is shown: after the EXIF orientation of a camera file, after the
display matrix of a phone video (whose poster is turned upright too), and for versions stored before."""
from __future__ import annotations

import importlib
import io

import av
import numpy as np
import pytest
from django.apps import apps
from PIL import Image

from assets.models import AssetVersion, Rendition
from search.models import SearchDocument
from tests.factories import approve_for_test
from tests.ingest.helpers import ingest_corpus_file, open_batch, send


@pytest.mark.parametrize("turn", range(1, 9))
def test_every_exif_orientation_gives_the_shown_size(api, django_capture_on_commit_callbacks, turn):
    item = ingest_corpus_file(api["editor"], f"real/orientation_landscape_{turn}.jpg",
                              django_capture_on_commit_callbacks)
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.width > version.height, (turn, version.width, version.height)  # a landscape, as shown
    thumb = Rendition.objects.get(version=version, preset="thumb")
    assert (thumb.width > thumb.height) == (version.width > version.height)
    listed = api["editor"].get("/api/v1/assets/", {"orientation": "portrait", "facets": "0"}).json()
    assert item["asset"]["uid"] not in {a["uid"] for a in listed["results"]}


def test_a_portrait_taken_with_the_camera_turned_is_a_portrait(api, django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], "real/orientation_portrait_6.jpg", django_capture_on_commit_callbacks)
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.height > version.width


def rotated_video() -> bytes:
    """64x48 frames, left half white, recorded with a display matrix that turns them 90 degrees."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(90)
        frame = np.zeros((48, 64, 3), dtype=np.uint8)
        frame[:, :32] = 255
        for _ in range(10):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def test_a_phone_video_recorded_upright_has_the_shown_size_and_an_upright_poster(api, people,
                                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = send(api["editor"], open_batch(api["editor"])["id"], rotated_video(), "upright.mp4")
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert (version.width, version.height) == (48, 64)
    assert version.embedded_metadata["media"]["streams"][0]["rotation"] == 90
    thumb = Rendition.objects.get(version=version, preset="thumb")
    assert thumb.status == "ready" and thumb.height > thumb.width
    with thumb.file.open("rb") as fh, Image.open(fh) as poster:
        grey = poster.convert("L")
        top = grey.crop((0, 0, grey.width, grey.height // 2))
        bottom = grey.crop((0, grey.height // 2, grey.width, grey.height))
        # The frame's left (white) half is at the bottom once turned a quarter counter-clockwise.
        assert np.asarray(bottom).mean() > 200 > 50 > np.asarray(top).mean()


def test_versions_stored_before_are_turned_upright_and_their_index_rows_follow(api, people,
                                                                             django_capture_on_commit_callbacks):
    item = ingest_corpus_file(api["editor"], "real/orientation_landscape_6.jpg", django_capture_on_commit_callbacks)
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    approve_for_test(version.asset)
    shown = (version.width, version.height)
    AssetVersion.objects.filter(pk=version.pk).update(width=shown[1], height=shown[0])  # as stored before
    SearchDocument.objects.filter(asset=version.asset).update(approved_width=shown[1], approved_height=shown[0])
    importlib.import_module("assets.migrations.0026_upright_sizes").swap(apps, None)
    importlib.import_module("search.migrations.0002_upright_sizes").refresh(apps, None)
    version.refresh_from_db()
    assert (version.width, version.height) == shown
    document = SearchDocument.objects.get(asset=version.asset)
    assert (document.approved_width, document.approved_height) == shown
