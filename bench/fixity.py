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

With `--s3` the store is S3: moto's server in a process of its own on loopback (its memory is not this
process's), the files uploaded there, and the peer is the plain loop a script would write: boto3's
`get_object` and `iter_chunks` into hashlib, nothing recorded.

    .venv/bin/python bench/fixity.py [--files 200] [--min-mb 1] [--max-mb 5] [--repeat 3] [--s3]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--min-mb", type=int, default=1)
    parser.add_argument("--max-mb", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--s3", action="store_true", help="Originals in S3 (moto's server on loopback).")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="dam-fixity-bench-"))
    os.environ["DAM_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")
    server = None
    if args.s3:
        server, endpoint = start_moto()
        os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": "us-east-1", "DAM_S3_BUCKET": "dam-fixity-bench",
                           "DAM_S3_ENDPOINT_URL": endpoint})
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

        def fixity() -> None:
            run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
            assert run.state == "complete" and run.checked == args.files and not run.problems_count, run.error

        peers: dict[str, object] = {}
        if args.s3:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            client.create_bucket(Bucket="dam-fixity-bench")
            for name in paths:  # uploaded from disk in parts by boto3, then removed here
                key = str(Path(name).relative_to(media))
                client.upload_file(name, "dam-fixity-bench", key)
                Path(name).unlink()

            def boto3_loop() -> None:
                for name, sha, _ in originals:
                    body = client.get_object(Bucket="dam-fixity-bench", Key=name)["Body"]
                    digest = hashlib.sha256()
                    for block in body.iter_chunks(256 * 1024):
                        digest.update(block)
                    assert digest.hexdigest() == sha

            peers["boto3 get_object"] = boto3_loop
        else:
            peers["sha256sum"] = lambda: subprocess.run(["sha256sum", *paths], check=True, stdout=subprocess.DEVNULL)
            peers["openssl dgst"] = lambda: subprocess.run(["openssl", "dgst", "-sha256", *paths], check=True,
                                                           stdout=subprocess.DEVNULL)

        for peer in peers.values():  # untimed: the page cache (or moto) is warm for all from here on
            peer()  # type: ignore[operator]
        before = peak_rss_mb()
        fixity()
        order = [("fixity_check", fixity), *peers.items()]
        times: dict[str, list[float]] = {name: [] for name, _ in order}
        for i in range(args.repeat):
            for name, work in order[i % len(order):] + order[:i % len(order)]:
                times[name].append(timed(work))
        after = peak_rss_mb()
        medians = {name: statistics.median(values) for name, values in times.items()}
        mine = medians["fixity_check"]
        print(f"{args.files} originals {'in S3 (moto) ' if args.s3 else ''}{total_mb:.0f} MB, "
              f"{args.min_mb}-{args.max_mb} MB each; median of {args.repeat}, in rotating order")
        for name, took in medians.items():
            print(f"{name:18} {took:8.3f} s  ({total_mb / took:6.0f} MB/s, {took / args.files * 1000:.2f} ms a file)")
        print("; ".join(f"fixity / {name} = {mine / medians[name]:.2f}x" for name in peers)
              + (" (aim <= 1.3x against sha256sum)" if not args.s3 else ""))
        print(f"peak RSS before the first run {before:.1f} MB, after the last {after:.1f} MB: "
              f"growth {after - before:.1f} MB")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
