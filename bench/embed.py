"""What writing an asset's rights into a file costs (assets.embedding), per format and size.

    DJANGO_SETTINGS_MODULE=dam.settings python bench/embed.py [--big]

Derivatives: the rights written into encoded bytes in memory (what a derivative's job, or the copy of a
standard rendition, does). Originals: a stored file copied to a private temporary file and the rights
written into it there (what a download of an original does); time, and the process's peak memory above
a child process that wrote nothing (libexiv2 works in C++: measured as the process's peak, one child each;
for derivatives it includes the bytes read into memory).
`--big` adds a 210 MB TIFF and 75 MB JPEG and PNG (a few seconds each).
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")

RIGHTS = dict(title="Harbour at dawn", description="Boats in the harbour at first light.", creator="Ann Berg",
              copyright="Harbour Photo AS", credit="Ann Berg / Harbour Photo", usage_terms="Editorial use only.",
              licence="https://creativecommons.org/licenses/by-nc/4.0/",
              web_statement="https://creativecommons.org/licenses/by-nc/4.0/")


def make(path: Path, kind: str, width: int, height: int) -> None:
    import pyvips

    noise = pyvips.Image.gaussnoise(width, height, mean=128, sigma=40).cast("uchar")
    picture = noise.bandjoin([noise.rot180() if width == height else noise, noise]).copy(interpretation="srgb")
    if kind == "jpeg":
        picture.jpegsave(str(path), Q=90)
    elif kind == "png":
        picture.pngsave(str(path), compression=1)
    elif kind == "webp":
        picture.webpsave(str(path), Q=85)
    else:
        picture.tiffsave(str(path))


def child(mode: str, path: str) -> None:
    import django

    django.setup()
    from assets.embedding import Rights, rights_in_bytes, rights_in_file

    rights = Rights(**RIGHTS)
    start = time.perf_counter()
    if mode == "bytes":
        data = Path(path).read_bytes()
        start = time.perf_counter()
        rights_in_bytes(data, rights)
    elif mode == "file":
        with tempfile.NamedTemporaryFile(dir=Path(path).parent) as copy, open(path, "rb") as original:
            shutil.copyfileobj(original, copy, 1024 * 1024)
            copy.flush()
            rights_in_file(copy.name, rights)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"{elapsed:.0f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    cases = [("derivative", "jpeg", 2048, 1365), ("derivative", "webp", 2048, 1365), ("derivative", "png", 1080, 1080),
             ("original", "jpeg", 6000, 4000), ("original", "png", 4000, 3000), ("original", "tiff", 4000, 3000),
             ("original", "webp", 4000, 3000)]
    if "--big" in sys.argv:
        cases += [("original", "tiff", 10000, 7000), ("original", "jpeg", 8000, 6000), ("original", "png", 6000, 4000)]
    baseline = float(subprocess.run([sys.executable, __file__, "--child", "none", "-"], capture_output=True,
                                    text=True, check=True).stdout.split()[1])
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'what':<11}{'format':<7}{'pixels':>12}{'file MB':>9}{'ms':>7}{'peak MB above':>15}")
        for what, kind, width, height in cases:
            path = Path(folder) / f"{what}-{width}.{kind}"
            make(path, kind, width, height)
            runs = []
            for _ in range(3):
                out = subprocess.run([sys.executable, __file__, "--child", "bytes" if what == "derivative" else "file",
                                      str(path)], capture_output=True, text=True, check=True).stdout.split()
                runs.append((float(out[0]), float(out[1])))
            ms = sorted(r[0] for r in runs)[1]
            peak = max(r[1] for r in runs) - baseline  # the process's peak above one that wrote nothing
            size = path.stat().st_size / 1e6
            print(f"{what:<11}{kind:<7}{f'{width}x{height}':>12}{size:>9.1f}{ms:>7.0f}{peak:>15.0f}")


if __name__ == "__main__":
    main()
