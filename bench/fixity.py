"""Fixity benchmark: `fixity_check` over N stored originals against `sha256sum` of the same files.

The bench makes its own data folder (a temporary DAM_DATA_DIR: SQLite database, media), writes N files of
random bytes (1-5 MB each, sizes drawn with a fixed seed) straight into the store's originals area, written
in 64 KB pieces so that making them does not raise this process's peak memory, and registers one asset
and version per file (the SHA-256 taken while writing).

- **fixity**: `archive.fixity.services.fixity_check` over the whole store, as the command runs it: each
  original streamed through the storage API in 1 MB chunks into hashlib's SHA-256, its FixityCheck row and
  the run's counters written per file, and the originals area listed for untracked files at the end.
- **sha256sum**: coreutils' `sha256sum` over the same files, one process for all of them (the same bytes
  hashed by C with nothing recorded: the floor the issue names).
- **openssl**: `openssl dgst -sha256` over the same files, likewise. Debian's sha256sum is not linked to
  libcrypto and hashes with its own portable C code; hashlib uses OpenSSL's SHA-256 (with the CPU's SHA
  or AVX2 instructions), so this is the floor for the same hashing code, with nothing recorded.

All are timed after one untimed pass (the files are in the page cache for all), in rotating order,
`--repeat` times; medians, fixity / sha256sum (aim <= 1.3x) and fixity / openssl. Peak memory: this process's peak RSS
(ru_maxrss) before the first fixity pass and after the last; its growth is what the runs needed on top of
Django, and must not grow with the files' sizes (`--max-mb` 50 shows that).

    .venv/bin/python bench/fixity.py [--files 200] [--min-mb 1] [--max-mb 5] [--repeat 3]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PIECE = 64 * 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB


def write_originals(media: Path, count: int, min_mb: int, max_mb: int) -> list[tuple[str, str, int]]:
    """(storage key, sha256, size) of `count` files of random bytes written under media/originals/."""
    rng = random.Random(20261207)
    made = []
    for _ in range(count):
        size = rng.randint(min_mb * 1024 * 1024, max_mb * 1024 * 1024)
        key = uuid.UUID(int=rng.getrandbits(128)).hex
        name = f"originals/{key[:2]}/{key[2:4]}/{key}"
        path = media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with path.open("wb") as fh:
            left = size
            while left:
                piece = rng.randbytes(min(PIECE, left))
                digest.update(piece)
                fh.write(piece)
                left -= len(piece)
        made.append((name, digest.hexdigest(), size))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--min-mb", type=int, default=1)
    parser.add_argument("--max-mb", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="dam-fixity-bench-"))
    os.environ["DAM_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")
    try:
        import django
        django.setup()
        import logging

        from django.conf import settings
        from django.core.management import call_command

        logging.disable(logging.WARNING)
        call_command("migrate", verbosity=0)

        from archive.fixity import services
        from archive.models import FixityRun
        from assets.models import Asset, AssetVersion, Collection

        media = Path(settings.MEDIA_ROOT)
        originals = write_originals(media, args.files, args.min_mb, args.max_mb)
        library = Collection.objects.get(parent=None, name="Library")
        for number, (name, sha, size) in enumerate(originals, 1):
            asset = Asset.objects.create(title=f"Bench file {number}", collection=library)
            version = AssetVersion.objects.create(asset=asset, number=1, file=name, original_filename=f"{number}.bin",
                                                  sha256=sha, size=size, mime_type="application/octet-stream")
            Asset.objects.filter(pk=asset.pk).update(current_version=version)
        paths = [str(media / name) for name, _, _ in originals]
        total_mb = sum(size for _, _, size in originals) / 1024 / 1024

        def fixity() -> float:
            start = time.perf_counter()
            run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
            took = time.perf_counter() - start
            assert run.state == "complete" and run.checked == args.files and not run.problems_count, run.error
            return took

        def sha256sum() -> float:
            start = time.perf_counter()
            subprocess.run(["sha256sum", *paths], check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - start

        def openssl() -> float:
            start = time.perf_counter()
            subprocess.run(["openssl", "dgst", "-sha256", *paths], check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - start

        sha256sum()  # untimed: the page cache holds the files for all three from here on
        openssl()
        before = peak_rss_mb()
        fixity()
        ours: list[float] = []
        theirs: list[float] = []
        ssl: list[float] = []
        order = [(fixity, ours), (sha256sum, theirs), (openssl, ssl)]
        for i in range(args.repeat):
            for measure, into in order[i % 3:] + order[:i % 3]:
                into.append(measure())
        after = peak_rss_mb()
        mine, floor, ssl_floor = statistics.median(ours), statistics.median(theirs), statistics.median(ssl)
        print(f"{args.files} originals, {total_mb:.0f} MB, {args.min_mb}-{args.max_mb} MB each; "
              f"median of {args.repeat}, alternated")
        print(f"fixity_check  {mine:8.3f} s  ({total_mb / mine:6.0f} MB/s, {mine / args.files * 1000:.2f} ms a file)")
        print(f"sha256sum     {floor:8.3f} s  ({total_mb / floor:6.0f} MB/s)")
        print(f"openssl dgst  {ssl_floor:8.3f} s  ({total_mb / ssl_floor:6.0f} MB/s)")
        print(f"fixity / sha256sum = {mine / floor:.2f}x (aim <= 1.3x); fixity / openssl = {mine / ssl_floor:.2f}x")
        print(f"peak RSS before the first run {before:.1f} MB, after the last {after:.1f} MB: "
              f"growth {after - before:.1f} MB")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
