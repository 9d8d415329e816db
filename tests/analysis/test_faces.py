"""Faces: a real portrait counts one, a row of real people counts each, photos without people count none.

Both detectors are tested where they are installed: MediaPipe's BlazeFace (requirements-ai-nodeps.txt) and
OpenCV's Haar cascade, the fallback.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

pytest.importorskip("cv2")

from analysis.analysers.base import Label, Limits, Skipped
from analysis.analysers.faces import FaceAnalyser
from tests.analysis.making import ANALYSIS_CORPUS, PLAIN_PHOTOS, REAL, source

pytestmark = pytest.mark.analysis

ASTRONAUT = ANALYSIS_CORPUS / "astronaut.jpg"  # Eileen Collins, NASA (public domain), 512 x 512
CAMERAMAN = ANALYSIS_CORPUS / "camera.jpg"  # a man behind a camera, looking down into it (CC0), 512 x 512


@pytest.fixture(scope="module", params=["mediapipe", "haar"])
def faces(request):
    analyser = FaceAnalyser()
    if request.param == "mediapipe":
        pytest.importorskip("mediapipe")
        info = analyser.load_mediapipe()
    else:
        info = analyser.load_haar()
    assert len(info.sha256) == 64
    analyser.backend = request.param
    return analyser


def test_the_better_detector_is_chosen_when_it_is_installed():
    info = FaceAnalyser().load()
    try:
        import mediapipe  # noqa: F401
    except ImportError:
        assert info.name.startswith("OpenCV Haar")
    else:
        assert info.name == "MediaPipe BlazeFace full-range" and info.version == "0.10.14"


def test_a_portrait_counts_one_face_where_the_face_is(faces):
    outcome = faces.analyse(source(ASTRONAUT, width=512, height=512), Limits())
    assert outcome.data["count"] == 1
    [face] = outcome.data["faces"]
    x0, y0, x1, y1 = face["box"]
    # Her face is around (225, 70)-(280, 170) px of 512: the box holds its middle and is face-sized.
    assert x0 < 245 / 512 < x1 and y0 < 120 / 512 < y1
    assert 0.1 < x1 - x0 < 0.35 and 0.1 < y1 - y0 < 0.35
    assert outcome.labels == [Label("people", face["confidence"])]
    assert 0.5 <= face["confidence"] <= 1


def test_a_row_of_people_counts_each_face_left_to_right(faces, tmp_path):
    with Image.open(ASTRONAUT) as astronaut, Image.open(CAMERAMAN) as cameraman:
        left = astronaut.convert("RGB").crop((80, 0, 380, 300))
        middle = cameraman.convert("RGB").crop((150, 0, 450, 300))
    row = Image.fromarray(np.hstack([np.asarray(left), np.asarray(middle), np.asarray(ImageOps.mirror(left))]))
    path = tmp_path / "row.jpg"
    row.save(path, quality=90)
    outcome = faces.analyse(source(path), Limits())
    centres = [(face["box"][0] + face["box"][2]) / 2 for face in outcome.data["faces"]]
    if faces.backend == "mediapipe":
        assert outcome.data["count"] == 3
        assert centres[0] < 1 / 3 < centres[1] < 2 / 3 < centres[2]
    else:
        # The frontal-face cascade misses the cameraman, whose face is turned down into his camera.
        assert outcome.data["count"] == 2
        assert centres[0] < 1 / 3 and centres[1] > 2 / 3
    assert outcome.labels[0].text == "people"


@pytest.mark.parametrize("name", PLAIN_PHOTOS)
def test_photos_without_people_count_no_face_and_suggest_nothing(faces, name):
    outcome = faces.analyse(source(REAL / name), Limits())
    assert outcome.data == {"count": 0, "faces": []}
    assert outcome.labels == []


def test_a_truncated_photo_is_skipped_with_a_sentence(faces, tmp_path):
    path = tmp_path / "cut.jpg"
    path.write_bytes(ASTRONAUT.read_bytes()[:3000])
    with pytest.raises(Skipped, match=r"^The file cannot be decoded \(.+\)\.$"):
        faces.analyse(source(path), Limits())


def test_a_photo_over_the_pixel_limit_is_skipped(faces):
    with pytest.raises(Skipped, match="more than the 1 million that analysis reads"):
        faces.analyse(source(ASTRONAUT, width=4000, height=3000), Limits(max_pixels=1_000_000))
