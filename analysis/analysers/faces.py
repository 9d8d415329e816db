"""How many faces a photo shows, and where: detection only, never who.

Two detectors, the better one when it is installed:
- MediaPipe 0.10.14's BlazeFace full-range model (face_detection_full_range_sparse.tflite, inside the
  wheel; later MediaPipe releases ship no model and download it). Its full-range model finds faces down
  to a few percent of the picture and turned away from the camera. It runs through MediaPipe's older
  `solutions` graph because the newer `tasks` FaceDetector only accepts the short-range model, which fails
  on group pictures and saw faces in two tiny corpus photos.
- OpenCV's Haar cascade (haarcascade_frontalface_alt2.xml, inside opencv-python-headless), when MediaPipe is
  missing: upright, frontal faces only, no calibrated confidence, but no extra install.
"""
from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from analysis.analysers.base import Label, Limits, ModelInfo, Outcome, Source, Unavailable
from analysis.analysers.common import file_sha256, package_version, refuse_over_pixels

# Both detectors work on small input (BlazeFace resizes to 192 px); a larger box only slows the cascade.
BOX = 1280
MIN_CONFIDENCE = 0.5
HAAR_FILE = "haarcascade_frontalface_alt2.xml"
# Overlapping windows that must agree on a face. Real faces in the test photos get 30-40; the cascade's false
# faces on the corpus photos got 4 and 8 (a trail camera's foliage), so 10 keeps them out with room.
HAAR_NEIGHBOURS = 10

logger = logging.getLogger(__name__)


class FaceAnalyser:
    """Counts faces and records their boxes; suggests "people" when there is at least one."""

    slug: ClassVar[str] = "faces"
    title: ClassVar[str] = "Faces (count and position)"
    kinds: ClassVar[frozenset[str]] = frozenset({"image"})
    timeout: ClassVar[int] = 120

    def __init__(self) -> None:
        self._detect: Any = None
        # A MediaPipe graph is not safe to run from two threads at once; the worker may have several.
        self._lock = threading.Lock()

    def load(self) -> ModelInfo:
        """MediaPipe's BlazeFace when it is installed, else OpenCV's Haar cascade."""
        try:
            return self.load_mediapipe()
        except ImportError:
            pass  # the usual case without requirements-ai-nodeps.txt
        except Exception:
            # A MediaPipe beside the wrong protobuf fails on import with a TypeError, not an ImportError;
            # counting faces with the cascade beats not counting them.
            logger.warning("MediaPipe failed to load; counting faces with OpenCV's Haar cascade", exc_info=True)
        try:
            return self.load_haar()
        except ImportError as exc:
            raise Unavailable("Neither mediapipe nor opencv-python-headless is installed: "
                              "pip install -r requirements-ai.txt") from exc

    def load_mediapipe(self) -> ModelInfo:
        """BlazeFace full-range through MediaPipe; ImportError when MediaPipe is not installed."""
        import mediapipe
        from mediapipe.python.solutions import face_detection

        model = Path(mediapipe.__file__).parent / "modules/face_detection/face_detection_full_range_sparse.tflite"
        if not model.is_file():
            raise Unavailable(f"mediapipe {package_version('mediapipe')} has no BlazeFace model inside it; "
                              "install mediapipe 0.10.14 as pinned in requirements-ai-nodeps.txt.")
        # model_selection=1: the full-range model (faces up to about 5 m away), not the selfie-range one.
        detector = face_detection.FaceDetection(model_selection=1, min_detection_confidence=MIN_CONFIDENCE)

        def detect_in(picture: Image.Image) -> list[dict[str, Any]]:
            import numpy as np

            with warnings.catch_warnings():  # process-wide; a worker process runs one analysis at a time
                # MediaPipe 0.10.14 calls a protobuf 4 method that warns of its removal on every run.
                warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype", category=UserWarning)
                result = detector.process(np.ascontiguousarray(np.asarray(picture)))
            faces = []
            for detection in result.detections or []:
                box = detection.location_data.relative_bounding_box
                faces.append({"box": [box.xmin, box.ymin, box.xmin + box.width, box.ymin + box.height],
                              "confidence": float(detection.score[0])})
            return faces

        def detect(picture: Image.Image) -> list[dict[str, Any]]:
            # BlazeFace sees the whole picture at 192 px, where the faces of a group are a few pixels wide;
            # reading overlapping quarters too finds them (each run takes a few milliseconds).
            found = []
            for left, top, right, bottom in _windows(picture.size):
                crop = picture.crop((left, top, right, bottom))
                width, height = picture.size
                for face in detect_in(crop):
                    x0, y0, x1, y1 = face["box"]
                    face["box"] = [(left + x0 * (right - left)) / width, (top + y0 * (bottom - top)) / height,
                                   (left + x1 * (right - left)) / width, (top + y1 * (bottom - top)) / height]
                    found.append(face)
            return [{"box": _clamped(face["box"]), "confidence": round(face["confidence"], 4)}
                    for face in _merged(found)]

        self._detect = detect
        return ModelInfo(name="MediaPipe BlazeFace full-range", version=package_version("mediapipe"),
                         licence="Apache-2.0", sha256=file_sha256(model))

    def load_haar(self) -> ModelInfo:
        """OpenCV's frontal-face Haar cascade; ImportError when OpenCV is not installed."""
        import cv2

        model = Path(cv2.data.haarcascades) / HAAR_FILE  # type: ignore[attr-defined]
        cascade = cv2.CascadeClassifier(str(model))
        if cascade.empty():
            raise Unavailable(f"OpenCV's {HAAR_FILE} is missing or unreadable.")

        def detect(picture: Image.Image) -> list[dict[str, Any]]:
            import numpy as np

            gray = cv2.equalizeHist(cv2.cvtColor(np.asarray(picture), cv2.COLOR_RGB2GRAY))
            height, width = gray.shape
            smallest = max(24, min(width, height) // 25)
            boxes, neighbours = cascade.detectMultiScale2(
                gray, scaleFactor=1.1, minNeighbors=HAAR_NEIGHBOURS, minSize=(smallest, smallest))
            return [
                {"box": _clamped([x / width, y / height, (x + w) / width, (y + h) / height]),
                 # The cascade gives no probability: how many overlapping windows agreed, squashed into 0..1
                 # (the required 10 give 0.5, 30 give 0.75), so more agreement reads as more certain.
                 "confidence": round(float(n) / (float(n) + HAAR_NEIGHBOURS), 4)}
                for (x, y, w, h), n in zip(boxes, neighbours, strict=True)
            ]

        self._detect = detect
        return ModelInfo(name="OpenCV Haar cascade frontalface_alt2", version=package_version("opencv-python-headless"),
                         licence="Intel License Agreement (BSD-style)", sha256=file_sha256(model))

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """The number of faces, each face's box, and the label "people" when there is one."""
        if self._detect is None:
            self.load()
        refuse_over_pixels(source, limits)
        picture = source.image(BOX)
        with self._lock:
            faces = self._detect(picture)
        faces.sort(key=lambda face: (face["box"][0], face["box"][1]))  # left to right, as people count
        labels = [Label("people", max(face["confidence"] for face in faces))] if faces else []
        return Outcome(labels=labels, data={"count": len(faces), "faces": faces})


def _clamped(box: list[float]) -> list[float]:
    return [round(min(max(float(value), 0.0), 1.0), 4) for value in box]


def _windows(size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """The whole picture, then tiles of half its width and height overlapping by half (3 x 3)."""
    width, height = size
    windows = [(0, 0, width, height)]
    if min(width, height) >= 256:  # a small picture has no faces too small for one pass
        for row in range(3):
            for col in range(3):
                left, top = col * width // 4, row * height // 4
                windows.append((left, top, left + width // 2, top + height // 2))
    return windows


def _merged(faces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One box per face: the most confident wins, and a box mostly inside a kept one (the same face seen
    whole and cut by a tile's edge) is dropped."""
    kept: list[dict[str, Any]] = []
    for face in sorted(faces, key=lambda f: -f["confidence"]):
        if all(_overlap(face["box"], other["box"]) < 0.5 for other in kept):
            kept.append(face)
    return kept


def _overlap(a: list[float], b: list[float]) -> float:
    """Intersection over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0
