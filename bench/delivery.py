"""Delivery benchmark: cached delivery URLs against WhiteNoise, memory of big downloads, first-request derivatives.

Starts a private DAM (fresh SQLite under a temporary DAM_DATA_DIR, DAM_DEBUG off as in production,
`runserver --noreload` as the web process, no job worker) whose data is made beforehand by a set-up
process through the services (ingest, the approval workflow as the system, derivatives made in
process). The web process runs with a small settings module written into the temporary directory
(`from dam.settings import *`, STATIC_ROOT pointed at a directory of its own), so WhiteNoise, in
the same process, serves the same bytes as a static file. Three measurements:

1. Cached delivery against a static file. The same file, once through its delivery URL
   (`/d/<uid>/<preset>/<name>`, derivative already made, public collection) and once from WhiteNoise:
   the built-in `web` preset of a 24 MP photograph (the standard 2048 px rendition, ~80 KB) and its
   `print` preset (full size JPEG q95, ~3.9 MB). Requests alternate between the two paths, each on a new
   connection, reading the whole body; p50 and p95 per path and the ratio app/static.
2. Memory. (a) A 2 GiB original downloaded through its delivery URL (preset `original`). The asset is
   ingested as a small WAV (a type stored and sent as it is: public JPEG originals are copied to have
   their GPS stripped), approved, and then its stored file is replaced by 2 GiB of bytes and the
   version's `size` set to match (its sha256 is left as it was: nothing on this path reads the file to
   check it). Uploading 2 GiB through ingest would only measure ingest. (b) A lightbox of 1,000
   approved assets (distinct 256 KB WAVs, --member-kb) downloaded as one zip (`?preset=original`, API, token). The
   web process's RSS is read from /proc every 50 ms: baseline before (after a small warm-up download of
   the same kind, so first-use imports are not counted), peak during, growth.
3. First-request derivative. A 24 MP JPEG's first request for a small preset (1080x1080 cover, JPEG q85,
   made in the request since 1080 <= SYNC_MAX_SIDE), against libvips doing that work in this process
   (`thumbnail(path, 1080, height=1080, crop="centre")` + `jpegsave_buffer(Q=85)`), best of three
   each; each app repetition uses a fresh preset (bench-square-1..3, same recipe, other names) so
   nothing is cached.

    .venv/bin/python bench/delivery.py [--requests 500] [--zip-assets 1000] [--member-kb 256] [--big-gb 2] [--keep]

`--big-gb 0` and `--zip-assets 0` skip those downloads.

Prints a table of ratios; docs/performance.md records a run and the method.
"""
from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.processes import RssSampler, free_port, rss

try:
    import pyvips

    pyvips.cache_set_max(0)  # every timing decodes for real, as a first request does
except (ImportError, OSError):
    pyvips = None

ROOT = Path(__file__).resolve().parents[1]


def _bench_ingest() -> Any:
    """bench/ingest.py, by its path (the name `ingest` is also the app's): its camera-like picture generator."""
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


photographic = _bench_ingest().photographic
PYTHON = sys.executable
PASSWORD = "bench-pass-2026"
MB = 2**20
SQUARE_PRESETS = 3  # first-request repetitions: bench-square-1..3

SETTINGS = """\
from dam.settings import *  # noqa: F403

STATIC_ROOT = {static!r}
WHITENOISE_AUTOREFRESH = False
# No manifest in this STATIC_ROOT: pages that link the app's own CSS (error pages) use plain static names.
STORAGES = {{**STORAGES,  # noqa: F405
            "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}
"""

# Run in a separate process with django.setup(): makes the data through the services and prints what it
# made as JSON on its last line.
SETUP = r"""
import io, json, os, sys, time, wave
import django
django.setup()
from django.core.files.storage import default_storage
from accounts.models import User
from assets import services
from assets.models import Asset, AssetVersion, Collection, ReviewState
from distribution import derivatives
from distribution.lightbox_services import lightbox_create
from distribution.models import Preset
from ingest.services import asset_ingest
from workflows import services as workflow

args = json.loads(os.environ["BENCH_SETUP"])
user = User.objects.get(username="bench")


def approve(asset):
    workflow.version_submit(version_id=asset.current_version_id, actor=None)
    while AssetVersion.objects.get(pk=asset.current_version_id).review_state == ReviewState.IN_REVIEW:
        workflow.version_approve(version_id=asset.current_version_id, actor=None)
    asset.refresh_from_db()
    return asset


def wav(n_bytes):  # random samples: every file differs (no duplicate refused)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(os.urandom(n_bytes - n_bytes % 4))
    out.seek(0)
    return out


bench = services.collection_create(name="Bench", actor=None)
services.collection_set_delivery(collection=bench, delivery=Collection.Delivery.PUBLIC, actor=None)
services.collection_grant(collection=bench, level="view", actor=None, user=user)
out = {}

with open(args["photo"], "rb") as fh:
    photo = approve(asset_ingest(fileobj=fh, filename="photo.jpg", actor=None, collection=bench, title="Photo"))
services.renditions_generate(version_id=photo.approved_version_id)  # the standard renditions (web is one)
photo = Asset.objects.select_related("approved_version", "collection").get(pk=photo.pk)
out["photo"] = str(photo.uid)
files = {}
for name in ("web", "print"):
    preset = Preset.objects.get(name=name)
    d = derivatives.derivative_for(photo.approved_version, preset, make_now=False)
    if not d.ready:
        services.derivative_generate(rendition_id=d.rendition.pk)
        d = derivatives.derivative_for(photo.approved_version, preset, make_now=False)
    assert d.ready, name
    files[name] = default_storage.path(d.storage_name)
out["files"] = files
for n in range(1, args["squares"] + 1):
    Preset.objects.create(name=f"bench-square-{n}", label=f"Bench square {n}", max_width=1080, max_height=1080,
                          fit="cover", format="jpeg", quality=85)

big = approve(asset_ingest(fileobj=wav(64 * 1024), filename="big.wav", actor=None, collection=bench,
                           title="Big"))
version = big.approved_version
path = default_storage.path(version.file.name)
block = os.urandom(1024 * 1024)
with open(path, "wb") as fh:  # the stored original replaced by big_bytes of bytes (see the docstring)
    for _ in range(args["big_bytes"] // len(block)):
        fh.write(block)
AssetVersion.objects.filter(pk=version.pk).update(size=os.path.getsize(path))
out["big"] = {"uid": str(big.uid), "size": os.path.getsize(path)}

members = []
started = time.perf_counter()
for n in range(args["zip_assets"] + 2):
    asset = approve(asset_ingest(fileobj=wav(args["member_bytes"]), filename=f"member-{n}.wav", actor=None,
                                 collection=bench, title=f"Member {n}"))
    members.append(str(asset.uid))
print(f"{len(members)} members in {time.perf_counter() - started:.1f} s", file=sys.stderr)
out["member"] = members[0]
out["zip_bytes"] = sum(AssetVersion.objects.filter(asset__uid__in=members[2:]).values_list("size", flat=True))
out["warm_lightbox"] = lightbox_create(actor=user, name="Warm-up", assets=members[:2]).pk
out["lightbox"] = lightbox_create(actor=user, name="Bench", assets=members[2:]).pk if members[2:] else None
print(json.dumps(out))
"""


def fetch(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 600
          ) -> tuple[int, int, float, float]:
    """GET on a new connection, reading the whole body: (status, bytes, seconds, seconds until the headers)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        headed = time.perf_counter() - start
        size = 0
        while chunk := response.read(1024 * 1024):
            size += len(chunk)
        return response.status, size, time.perf_counter() - start, headed
    finally:
        conn.close()


def token_for(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/api/v1/auth/token/", json.dumps({"username": "bench", "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def delivery_urls(port: int, token: str, uid: str) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/api/v1/assets/{uid}/delivery/", headers={"Authorization": f"Token {token}"})
    body = json.loads(conn.getresponse().read())
    found = {}
    for row in body["results"]:
        parts = urlsplit(row["url"])
        found[row["preset"]] = parts.path + (f"?{parts.query}" if parts.query else "")
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Download:
    status: int
    size: int  # bytes received
    seconds: float
    headed: float  # seconds until the response's headers
    baseline: int  # web process RSS before, bytes
    peak: int  # its highest RSS sampled during the download
    samples: int


def measured_download(pid: int, port: int, path: str, headers: dict[str, str] | None = None) -> Download:
    """One download on a new connection, the web process's RSS sampled every 50 ms meanwhile."""
    time.sleep(0.5)
    baseline = rss(pid)
    sampler = RssSampler(pid)
    sampler.start()
    try:
        status, size, seconds, headed = fetch(port, path, headers)
        time.sleep(0.2)
    finally:
        sampler.stop.set()
        sampler.join()
    return Download(status, size, seconds, headed, baseline, max(sampler.peak, baseline), sampler.samples)


def vips_square(path: Path) -> float:
    start = time.perf_counter()
    pyvips.Image.thumbnail(str(path), 1080, height=1080, crop="centre").jpegsave_buffer(Q=85)
    return time.perf_counter() - start

def cached_vs_static(port: int, urls: dict[str, str], sizes: dict[str, int], requests: int
                     ) -> dict[str, dict[str, list[float]]]:
    """Part 1: seconds per request, per file and path; app and static interleaved, the first of each pair
    alternating, so both see the same moments of the machine's noise."""
    paths = {name: {"app": urls[name], "static": f"/static/bench/{name}.jpg"} for name in sizes}
    for name, pair in paths.items():  # the same bytes both ways, and both warm
        bodies = set()
        for path in pair.values():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status != 200 or len(body) != sizes[name]:
                raise RuntimeError(f"{path}: {response.status}, {len(body)} bytes, expected {sizes[name]}")
            bodies.add(body)
        if len(bodies) != 1:
            raise RuntimeError(f"{name}: the app and WhiteNoise sent different bytes")
        for _ in range(20):
            for path in pair.values():
                fetch(port, path)
    times: dict[str, dict[str, list[float]]] = {name: {"app": [], "static": []} for name in paths}
    print(f"part 1: {requests} requests per file and path ...", file=sys.stderr)
    for n in range(requests):
        for name, pair in paths.items():
            order = ("app", "static") if n % 2 == 0 else ("static", "app")
            for way in order:
                status, size, seconds, _ = fetch(port, pair[way])
                if status != 200 or size != sizes[name]:
                    raise RuntimeError(f"{pair[way]}: {status}, {size} bytes")
                times[name][way].append(seconds)
    return times


def big_downloads(pid: int, port: int, token: str, made: dict) -> dict[str, Download]:
    """Part 2: RSS of the web process around one big original and one big zip, each after a small warm-up
    download of the same kind."""
    auth = {"Authorization": f"Token {token}"}
    print("part 2: big original and zip ...", file=sys.stderr)
    results = {}
    if made["big"]["size"]:
        small = delivery_urls(port, token, made["member"])["original"]
        big = delivery_urls(port, token, made["big"]["uid"])["original"]
        fetch(port, small)
        results["original"] = measured_download(pid, port, big)
        if (results["original"].status, results["original"].size) != (200, made["big"]["size"]):
            raise RuntimeError(f"big original: {results['original']}, expected {made['big']['size']} bytes")
    if made["lightbox"]:
        fetch(port, f"/api/v1/lightboxes/{made['warm_lightbox']}/zip/?preset=original", auth)
        results["zip"] = measured_download(pid, port, f"/api/v1/lightboxes/{made['lightbox']}/zip/?preset=original",
                                           auth)
        if results["zip"].status != 200 or results["zip"].size < made["zip_bytes"]:
            raise RuntimeError(f"zip: {results['zip']}, expected at least {made['zip_bytes']} bytes")
    return results


def first_requests(port: int, urls: dict[str, str], photo: Path) -> dict[str, list[float]]:
    """Part 3: the first request of a fresh 1080x1080 cover preset, and again (made), against libvips here."""
    print("part 3: first-request derivatives ...", file=sys.stderr)
    times: dict[str, list[float]] = {"first": [], "again": [], "vips": []}
    for n in range(1, SQUARE_PRESETS + 1):
        times["vips"].append(vips_square(photo))
        url = urls[f"bench-square-{n}"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start = time.perf_counter()
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        times["first"].append(time.perf_counter() - start)
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:200]!r}")
        made = pyvips.Image.new_from_buffer(body, "")
        if (made.width, made.height) != (1080, 1080):
            raise RuntimeError(f"{url}: {made.width}x{made.height}, expected 1080x1080")
        times["again"].append(fetch(port, url)[2])
    return times


def report(args: argparse.Namespace, sizes: dict[str, int], cached: dict[str, dict[str, list[float]]],
           memory: dict[str, Download], first: dict[str, list[float]]) -> None:
    ms = 1000
    print(f"\n1. cached delivery URL (app) against WhiteNoise (static), same runserver; {args.requests} requests "
          "each, a new connection each, interleaved; ms")
    print(f"{'file':<24}{'bytes':>10}{'app p50':>9}{'p95':>7}{'static p50':>12}{'p95':>7}{'ratio p50':>11}"
          f"{'p95':>6}")
    aims = []
    labels = {"web": "web (2048 px JPEG)", "print": "print (24 MP JPEG q95)"}
    for name, ways in cached.items():
        app50, app95 = percentile(ways["app"], 50), percentile(ways["app"], 95)
        st50, st95 = percentile(ways["static"], 50), percentile(ways["static"], 95)
        r50, r95 = app50 / st50, app95 / st95
        aims.append((f"cached {name}: p50 {r50:.2f}x, p95 {r95:.2f}x (aim <= 1.5x)", r50 <= 1.5 and r95 <= 1.5))
        print(f"{labels.get(name, name):<24}{sizes[name]:>10,}{app50 * ms:>9.2f}{app95 * ms:>7.2f}{st50 * ms:>12.2f}"
              f"{st95 * ms:>7.2f}{r50:>10.2f}x{r95:>5.2f}x")
    print("\n2. web process RSS around one download (sampled every 50 ms); MB")
    print(f"{'download':<34}{'bytes':>15}{'headers s':>10}{'total s':>9}{'samples':>8}{'baseline':>10}{'peak':>7}"
          f"{'growth':>8}")
    what = {"original": f"{args.big_gb:g} GiB original, delivery URL", "zip": f"{args.zip_assets}-asset lightbox zip"}
    for name, d in memory.items():
        growth = (d.peak - d.baseline) / MB
        aims.append((f"{what[name]}: RSS growth {growth:.1f} MB (aim < 50 MB)", growth < 50))
        print(f"{what[name]:<34}{d.size:>15,}{d.headed:>10.2f}{d.seconds:>9.1f}{d.samples:>8}{d.baseline / MB:>10.1f}"
              f"{d.peak / MB:>7.1f}{growth:>8.1f}")
    best = {k: min(v) for k, v in first.items()}
    ratio = best["first"] / best["vips"]
    aims.append((f"first-request derivative: {ratio:.2f}x libvips in process (aim <= 1.5x)", ratio <= 1.5))
    print(f"\n3. first request of a 1080x1080 cover JPEG q85 preset of a 24 MP JPEG; best of {SQUARE_PRESETS}, ms")
    print(f"app, first request (made in it)   {best['first'] * ms:8.1f}   all: "
          + ", ".join(f"{t * ms:.1f}" for t in first["first"]))
    print(f"app, second request (cached)      {best['again'] * ms:8.1f}")
    print(f"libvips thumbnail + jpegsave here {best['vips'] * ms:8.1f}   all: "
          + ", ".join(f"{t * ms:.1f}" for t in first["vips"]))
    print(f"ratio app first / libvips         {ratio:8.2f}x")
    print("\naims:")
    for text, met in aims:
        print(f"  {'met    ' if met else 'NOT MET'}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per (size, path) in part 1")
    parser.add_argument("--zip-assets", type=int, default=1000, help="assets in the zipped lightbox (part 2b)")
    parser.add_argument("--member-kb", type=int, default=256, help="size of each lightbox member's file")
    parser.add_argument("--big-gb", type=float, default=2, help="size of the big original in GiB (part 2a)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, logs)")
    args = parser.parse_args()
    if pyvips is None:
        sys.exit("pyvips is needed (it is in requirements.txt)")

    work = Path(tempfile.mkdtemp(prefix="dam-delivery-bench-"))
    web = None
    try:
        static = work / "static"
        (static / "bench").mkdir(parents=True)
        (work / "bench_settings.py").write_text(SETTINGS.format(static=str(static)))
        env = {**os.environ, "DAM_DATA_DIR": str(work / "data"), "DAM_SYNC_TASKS": "0", "DAM_DEBUG": "0",
               "DAM_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2, "DAM_LOG_LEVEL": "WARNING",
               "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]), "DJANGO_SETTINGS_MODULE": "bench_settings"}
        env.pop("DATABASE_URL", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createuser", "bench", "--role", "editor", "--password", PASSWORD], env=env,
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

        print("generating a 24 MP photograph and setting up the data ...", file=sys.stderr)
        photo = work / "photo.jpg"
        photographic(photo, (6000, 4000), "JPEG", 0)
        start = time.perf_counter()
        setup = {"photo": str(photo), "squares": SQUARE_PRESETS, "big_bytes": int(args.big_gb * 1024) * MB,
                 "zip_assets": args.zip_assets, "member_bytes": args.member_kb * 1024}
        done = subprocess.run([PYTHON, "-c", SETUP], env={**env, "BENCH_SETUP": json.dumps(setup)}, check=True,
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
        made = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"set-up took {time.perf_counter() - start:.0f} s", file=sys.stderr)
        sizes = {}
        for name, path in made["files"].items():
            shutil.copyfile(path, static / "bench" / f"{name}.jpg")
            sizes[name] = Path(path).stat().st_size

        port = free_port()
        log = open(work / "web.log", "wb")  # noqa: SIM115  (open for the web process's whole life)
        web = subprocess.Popen([*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise RuntimeError(f"the web process did not start; see {work / 'web.log'}") from None
                time.sleep(0.2)
        token = token_for(port)
        urls = delivery_urls(port, token, made["photo"])
        cached = cached_vs_static(port, urls, sizes, args.requests)
        memory = big_downloads(web.pid, port, token, made)
        first = first_requests(port, urls, photo)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=30)
        if args.keep:
            print(f"(data left in {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(args, sizes, cached, memory, first)


if __name__ == "__main__":
    main()
