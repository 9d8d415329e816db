"""Reading embedded metadata: ingest's Pillow reader against libexiv2 (pyexiv2), on JPEG and TIFF files.

For every JPEG and TIFF of tests/corpus (real camera files and hostile ones) and the hostile-metadata JPEGs
that tests/ingest/test_hostile_inputs.py makes, each reader runs in a child process of its own (a crash in
C++ code kills that process, not this one; a hang is stopped after --timeout seconds) and reports what it
found: EXIF / IPTC / XMP entries, title, description, creator, keywords, GPS, capture date, orientation,
and the median time of --repeat reads of the file's bytes in memory. Prints one line per file and reader,
then a Markdown table for docs/embed.md.

    .venv/bin/python bench/embed_reading.py [--repeat 20] [--timeout 20]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "corpus"
SUFFIXES = {".jpg", ".jpeg", ".tif", ".tiff"}


def _pillow(data: bytes) -> dict[str, Any]:
    import io

    from ingest.metadata import read_image

    raw = read_image(io.BytesIO(data)).raw
    exif, mapped = raw.get("exif") or {}, raw.get("mapped") or {}
    return {"exif": len(exif), "iptc": len(raw.get("iptc") or {}), "xmp": len(raw.get("xmp") or {}),
            "title": mapped.get("title"), "description": mapped.get("description"), "creator": mapped.get("creator"),
            "keywords": raw.get("keywords") or [], "gps": bool(raw.get("gps")), "date": mapped.get("date_taken"),
            "orientation": exif.get("Orientation")}


def _pyexiv2(data: bytes) -> dict[str, Any]:
    import pyexiv2

    # The most lenient setting: at its default (2, warnings) pyexiv2 turns what libexiv2 logs as an error into
    # a RuntimeError; muted (4), it reads what libexiv2 could parse, and only a failure to parse raises.
    pyexiv2.set_log_level(4)
    image = pyexiv2.ImageData(data)
    try:
        exif, iptc, xmp = image.read_exif(), image.read_iptc(), image.read_xmp()
    finally:
        image.close()

    def first(*values: Any) -> Any:
        for value in values:
            if isinstance(value, dict):
                value = value.get('lang="x-default"') or next(iter(value.values()), None)
            if isinstance(value, list):
                value = "; ".join(value)
            if value:
                return value
        return None

    # XMP first: the MWG choice when no IPTC digest says the IPTC is newer (none of these files has one).
    keywords = xmp.get("Xmp.dc.subject") or iptc.get("Iptc.Application2.Keywords") or []
    return {"exif": len(exif), "iptc": len(iptc), "xmp": len(xmp),
            "title": first(iptc.get("Iptc.Application2.ObjectName"), xmp.get("Xmp.dc.title")),
            "description": first(exif.get("Exif.Image.ImageDescription"), iptc.get("Iptc.Application2.Caption"),
                                 xmp.get("Xmp.dc.description")),
            "creator": first(exif.get("Exif.Image.Artist"), iptc.get("Iptc.Application2.Byline"),
                             xmp.get("Xmp.dc.creator")),
            "keywords": [keywords] if isinstance(keywords, str) else keywords,
            "gps": "Exif.GPSInfo.GPSLatitude" in exif,
            "date": first(exif.get("Exif.Photo.DateTimeOriginal"), iptc.get("Iptc.Application2.DateCreated"),
                          xmp.get("Xmp.photoshop.DateCreated")),
            "orientation": exif.get("Exif.Image.Orientation")}


def child(reader: str, path: str, repeat: int) -> None:
    """Run in the child process: read the file `repeat` times, print what the last read found as JSON."""
    import warnings

    warnings.simplefilter("ignore")
    if reader == "pillow":
        import django

        django.setup()
    read = _pillow if reader == "pillow" else _pyexiv2
    data = Path(path).read_bytes()
    times = []
    found: dict[str, Any] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            found = read(data)
        except Exception as exc:  # the evidence is what each reader raises
            found = {"error": f"{type(exc).__name__}: {str(exc)[:120]}"}
        times.append(time.perf_counter() - started)
    found["ms"] = round(statistics.median(times) * 1000, 2)
    print(json.dumps(found, default=str))


def generated_files(folder: Path) -> list[Path]:
    """The hostile-metadata JPEGs of tests/ingest/test_hostile_inputs.py, written to `folder`."""
    import django

    django.setup()
    from tests.ingest.test_hostile_inputs import HOSTILE_FILES

    made = []
    for kind, make in sorted(HOSTILE_FILES.items()):
        path = folder / f"hostile_{kind}.jpg"
        content = make()
        path.write_bytes(content if isinstance(content, bytes) else content[0])
        made.append(path)
    return made


def run(reader: str, path: Path, repeat: int, timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", reader, str(path), "--repeat", str(repeat)],
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=os.environ)
    except subprocess.TimeoutExpired:
        return {"error": f"hung (stopped after {timeout:.0f} s)"}
    if done.returncode < 0:
        return {"error": f"process killed by signal {-done.returncode}"}
    if done.returncode != 0:
        return {"error": f"process exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(found: dict[str, Any]) -> str:
    if "error" in found:
        return found["error"]
    parts = [f"{found['exif']}/{found['iptc']}/{found['xmp']}"]
    parts += [f"{name} ✓" for name in ("title", "description", "creator", "date", "orientation") if found.get(name)]
    if found.get("keywords"):
        parts.append(f"{len(found['keywords'])} keywords")
    if found.get("gps"):
        parts.append("GPS ✓")
    return ", ".join(parts) + f"; {found['ms']} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")
    os.environ.setdefault("DAM_DATA_DIR", tempfile.mkdtemp(prefix="dam-bench-"))
    os.environ.setdefault("DAM_SECRET_KEY", "bench-only-" + "x" * 50)
    if args.child:
        child(args.child[0], args.child[1], args.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="dam-embed-reading-") as tmp:
        files = [p for group in ("real", "bad") for p in sorted((CORPUS / group).iterdir())
                 if p.suffix.lower() in SUFFIXES] + generated_files(Path(tmp))
        rows = []
        for path in files:
            results = {reader: run(reader, path, args.repeat, args.timeout) for reader in ("pillow", "pyexiv2")}
            label = f"{path.parent.name if path.is_relative_to(CORPUS) else 'generated'}/{path.name}"
            rows.append((label, results))
            print(f"{label}\n  Pillow:  {json.dumps(results['pillow'], default=str)[:300]}\n"
                  f"  pyexiv2: {json.dumps(results['pyexiv2'], default=str)[:300]}", flush=True)
    print("\n| file | Pillow (ingest) | pyexiv2 (libexiv2) |\n|---|---|---|")
    for label, results in rows:
        print(f"| {label} | {summary(results['pillow'])} | {summary(results['pyexiv2'])} |")


if __name__ == "__main__":
    main()
