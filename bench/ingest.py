"""Ingest benchmark: end-to-end time per file (upload until every rendition exists) against a floor, plus RSS.

Starts a private DAM (fresh SQLite under a temporary DAM_DATA_DIR, DAM_DEBUG off as in
production, `runserver` as the web process, `qcluster` on the ORM broker as the worker),
uploads generated photographic-size images over HTTP with a token, and polls the API
until the renditions are ready. The times are read from the server's records: when
the thumbnail and the last preset were recorded ready, when the job was queued, and
(through a hook in the worker) when it began. In the same run, on the
same files, it measures the floor: sha256 of the file plus one fast thumbnail
decode with the best library available (a pyvips 400 px thumbnail with
shrink-on-load when pyvips is importable, else Pillow draft mode for JPEG and a
full decode for PNG/TIFF). Peak RSS of the web process and of the worker
processes is sampled from /proc throughout; a large upload (default 1 GiB,
--big-mb) checks that the web process's RSS stays flat.

    .venv/bin/python bench/ingest.py [--jpegs 4] [--pngs 1] [--tiffs 1] [--big-mb 1024]

Prints a table; docs/performance.md records a run and the method.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

try:
    import pyvips

    pyvips.cache_set_max(0)  # every timing below decodes for real, as a fresh upload would
except (ImportError, OSError):  # not installed, or no libvips: Pillow is the best library available
    pyvips = None

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = "bench-pass-2026"
# How often the client asks whether the renditions are ready. Each answer costs the web process
# ~12 ms of CPU, taken from the worker on a two-core machine, so the client asks at a human pace
# and the times come from the server's own records (see timeline()).
POLL = 0.25


def photographic(path: Path, size: tuple[int, int], fmt: str, seed: int) -> None:
    """A camera-like picture: smooth gradients, shapes, blur and sensor noise (compresses like a photo)."""
    w, h = size
    small = Image.new("RGB", (w // 8, h // 8))
    draw = ImageDraw.Draw(small)
    for y in range(small.height):
        draw.line([(0, y), (small.width, y)], fill=(30 + (y * 200 // small.height), 90 + seed * 20 % 100, 160))
    for n in range(40):
        x, y = (n * 7919 * (seed + 1)) % small.width, (n * 104729 * (seed + 3)) % small.height
        r = 20 + (n * 13) % 120
        draw.ellipse([x - r, y - r, x + r, y + r], fill=((n * 50) % 256, (n * 80 + seed * 30) % 256, (n * 20) % 256))
    im = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise(size, 18).convert("RGB")
    im = Image.blend(im, noise, 0.12)
    if fmt == "JPEG":
        im.save(path, "JPEG", quality=92)
    elif fmt == "TIFF":
        im.save(path, "TIFF", compression="tiff_deflate")
    else:
        im.save(path, fmt, compress_level=6)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def floor_seconds(path: Path) -> float:
    """The least any DAM must do per file: hash it, and decode it once small enough for a thumbnail."""
    start = time.perf_counter()
    sha256(path)
    if pyvips is not None:
        pyvips.Image.thumbnail(str(path), 400).copy_memory()
    else:
        with Image.open(path) as im:
            im.draft("RGB", (400, 400))
            im.thumbnail((400, 400))
    return time.perf_counter() - start


def work_seconds(path: Path) -> float:
    """The same image work the worker does, in-process and with no queue: hash, one reduced decode, three presets."""
    return vips_work_seconds(path) if pyvips is not None else pillow_work_seconds(path)


def vips_work_seconds(path: Path) -> float:
    """As assets/renditions.py does it with libvips: shrink-on-load to cover 2048 px, the thumbnail (baseline),
    then web and preview (progressive) on two threads, each scaled from the decode."""
    start = time.perf_counter()
    sha256(path)
    header = pyvips.Image.new_from_file(str(path))
    options = {}
    if header.get("vips-loader").startswith("jpegload"):
        options["shrink"] = next(s for s in (8, 4, 2, 1) if max(header.width, header.height) / s >= 2048 or s == 1)
    im = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error", **options)
    im = im.resize(2048 / max(im.width, im.height)).copy_memory() if max(im.width, im.height) > 2048 else im

    def encoded(box: int, progressive: bool) -> bytes:
        scale = box / max(im.width, im.height)
        scaled = (im.resize(scale) if scale < 1 else im).copy_memory()
        return scaled.jpegsave_buffer(Q=85, interlace=progressive, optimize_coding=not progressive, keep="none")

    encoded(400, False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(encoded, (2048, 1600), (True, True)))
    return time.perf_counter() - start


def pillow_work_seconds(path: Path) -> float:
    import io

    from PIL import ImageOps

    start = time.perf_counter()
    sha256(path)
    with Image.open(path) as im:
        ratio = 2048 / max(im.size)
        im.draft("RGB", (round(im.width * ratio), round(im.height * ratio)))
        im = ImageOps.exif_transpose(im).convert("RGB")
        for box in (2048, 1600, 400):
            im.thumbnail((box, box), Image.Resampling.LANCZOS)
            im.save(io.BytesIO(), "JPEG", quality=85, progressive=True)
    return time.perf_counter() - start


# The worker, started through this hook, notes when each job begins (django-q2 records only
# when a task was queued and when it stopped): one "task-name unix-time" line per job.
WORKER_WITH_JOB_LOG = """
import os, time
import django
django.setup()
from django.core.management import call_command
from django_q.signals import pre_execute
log = open(os.environ["BENCH_JOB_LOG"], "a", buffering=1)
pre_execute.connect(lambda sender, func, task, **kw: log.write(f"{task['name']} {time.time()}\\n"), weak=False)
call_command("qcluster")
"""


def utc_seconds(text: str) -> float:
    """A datetime as Django stores it in SQLite (UTC, no offset) as Unix time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp()


def timeline(db: Path, job_log: Path, uid: str) -> dict[str, float]:
    """When, in Unix time, the server queued a file's rendition job, began it, and recorded each preset ready."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        version_id, = conn.execute(
            "SELECT v.id FROM assets_assetversion v JOIN assets_asset a ON a.id = v.asset_id WHERE a.uid = ?",
            (uid.replace("-", ""),)).fetchone()
        name = f"renditions-{version_id}"
        queued, = conn.execute("SELECT started FROM django_q_task WHERE name = ?", (name,)).fetchone()
        ready = dict(conn.execute("SELECT preset, updated_at FROM assets_rendition WHERE version_id = ?",
                                  (version_id,)).fetchall())
    begun = [float(line.split()[1]) for line in job_log.read_text().splitlines() if line.split()[0] == name]
    return {"queued": utc_seconds(queued), "begun": min(begun), "thumb": utc_seconds(ready["thumb"]),
            "all": max(utc_seconds(t) for t in ready.values())}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RssSampler(threading.Thread):
    """Peak resident set size of a process and, separately, of its descendants (the qcluster workers)."""

    def __init__(self, pids: dict[str, int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak: dict[str, int] = {name: 0 for name in pids}
        self.peak_child: dict[str, int] = {name: 0 for name in pids}
        self.stop = threading.Event()

    @staticmethod
    def rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    @staticmethod
    def descendants(pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            parent = todo.pop()
            for task in Path(f"/proc/{parent}/task").glob("*"):
                try:
                    children = [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    children = []
                found += children
                todo += children
        return found

    def run(self) -> None:
        while not self.stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], self.rss(pid))
                for child in self.descendants(pid):
                    self.peak_child[name] = max(self.peak_child[name], self.rss(child))
            time.sleep(0.05)


def post_file(port: int, token: str, path: Path) -> dict:
    """Stream a multipart upload (the file is never held in memory here either)."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", "/api/v1/assets/")
    conn.putheader("Authorization", f"Token {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    conn.endheaders()
    conn.send(head)
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = json.loads(response.read() or b"{}")
    if response.status != 201:
        raise RuntimeError(f"upload of {path.name} failed: {response.status} {body}")
    return body


def get_json(port: int, token: str, url: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", url, headers={"Authorization": f"Token {token}"})
    return json.loads(conn.getresponse().read())


def wait_for_renditions(port: int, token: str, uid: str, timeout: float = 600) -> dict:
    """Poll until no rendition is pending; returns their states."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        renditions = get_json(port, token, f"/api/v1/assets/{uid}/")["renditions"]
        states = {k: v["status"] for k, v in renditions.items() if k != "original"}
        if states and all(s != "pending" for s in states.values()):
            return states
        time.sleep(POLL)
    raise TimeoutError(uid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jpegs", type=int, default=4, help="24 MP JPEGs (6000x4000)")
    parser.add_argument("--pngs", type=int, default=1, help="12 MP PNGs (4240x2832)")
    parser.add_argument("--tiffs", type=int, default=1, help="12 MP TIFFs (deflate)")
    parser.add_argument("--big-mb", type=int, default=1024, help="size of the large upload for the RSS check (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dam-ingest-bench-"))
    env = {**os.environ, "DAM_DATA_DIR": str(work / "data"), "DAM_SYNC_TASKS": "0", "DAM_WORKERS": str(args.workers),
           "DAM_DEBUG": "0", "DAM_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2, "DAM_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "createuser", "bench", "--role", "editor", "--password", PASSWORD], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)

    print("generating files ...", file=sys.stderr)
    files: list[Path] = []
    for n in range(args.jpegs):
        files.append(work / f"photo-{n}.jpg")
        photographic(files[-1], (6000, 4000), "JPEG", n)
    for n in range(args.pngs):
        files.append(work / f"scan-{n}.png")
        photographic(files[-1], (4240, 2832), "PNG", 10 + n)
    for n in range(args.tiffs):
        files.append(work / f"print-{n}.tif")
        photographic(files[-1], (4240, 2832), "TIFF", 20 + n)
    floors = {f: min(floor_seconds(f) for _ in range(3)) for f in files}
    works = {f: min(work_seconds(f) for _ in range(2)) for f in files}

    port = free_port()
    web = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    job_log = work / "jobs.log"
    worker = subprocess.Popen([PYTHON, "-c", WORKER_WITH_JOB_LOG],
                              env={**env, "BENCH_JOB_LOG": str(job_log), "DJANGO_SETTINGS_MODULE": "dam.settings"},
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    sampler = RssSampler({"web": web.pid, "worker": worker.pid})
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                credentials = json.dumps({"username": "bench", "password": PASSWORD})
                conn.request("POST", "/api/v1/auth/token/", body=credentials,
                             headers={"Content-Type": "application/json"})
                token = json.loads(conn.getresponse().read())["token"]
                break
            except (OSError, KeyError, ValueError):
                time.sleep(0.2)
        time.sleep(2)  # let the cluster's workers start before the clock runs
        # One small warm-up file: each worker process imports the imaging libraries on its first job;
        # the figures below are the steady state, not process start-up.
        warm = work / "warm-up.jpg"
        photographic(warm, (800, 600), "JPEG", 99)
        for _ in range(args.workers):
            wait_for_renditions(port, token, post_file(port, token, warm)["uid"])
            photographic(warm, (800, 600), "JPEG", 98 - _)
        sampler.start()
        rows = []
        for path in files:
            wall, start = time.time(), time.perf_counter()
            body = post_file(port, token, path)
            uploaded = time.perf_counter() - start
            states = wait_for_renditions(port, token, body["uid"])
            seen = time.perf_counter() - start
            rows.append((path, uploaded, seen, states, wall, body["uid"]))
        big = None
        if args.big_mb:
            path = work / "big.bin"
            with open(path, "wb") as out:
                for _ in range(args.big_mb):
                    out.write(os.urandom(1024 * 1024))
            before = sampler.peak["web"]
            start = time.perf_counter()
            post_file(port, token, path)
            big = (time.perf_counter() - start, before, sampler.peak["web"])
        time.sleep(0.2)
    finally:
        sampler.stop.set()
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=60)

    # End-to-end runs from the first byte of the upload until the server recorded the last preset
    # ready, and time to thumbnail until it recorded the thumbnail (its clocks and this one are the
    # same machine's). "Seen" is when the polling client noticed, up to one poll later.
    db = work / "data" / "dam.sqlite3"
    print(f"floor and same work with {'pyvips ' + pyvips.__version__ if pyvips else 'Pillow'}; times in s")
    print(f"{'file':<14}{'MB':>6}{'pixels':>11}{'upload':>8}{'thumb':>7}{'end-to-end':>12}{'floor':>7}"
          f"{'ratio':>7}{'same work':>11}{'ratio':>7}{'seen':>7}  renditions")
    ratios, work_ratios, e2e, thumbs, steps = [], [], [], [], []
    for path, uploaded, seen, states, wall, uid in rows:
        t = timeline(db, job_log, uid)
        total, to_thumb = t["all"] - wall, t["thumb"] - wall
        steps.append((path, uploaded, t["queued"] - wall, t["begun"] - t["queued"], t["thumb"] - t["begun"],
                      t["all"] - t["thumb"]))
        e2e.append(total)
        thumbs.append(to_thumb)
        ratios.append(total / floors[path])
        work_ratios.append(total / works[path])
        with Image.open(path) as im:
            pixels = f"{im.width}x{im.height}"
        print(f"{path.name:<14}{path.stat().st_size / 1e6:>6.1f}{pixels:>11}{uploaded:>8.3f}{to_thumb:>7.3f}"
              f"{total:>12.3f}{floors[path]:>7.3f}{ratios[-1]:>7.1f}{works[path]:>11.3f}{work_ratios[-1]:>7.1f}"
              f"{seen:>7.3f}  {','.join(f'{k}={v}' for k, v in sorted(states.items()))}")
    print(f"\ntime to thumbnail: median {statistics.median(thumbs):.3f} s, max {max(thumbs):.3f} s")
    print(f"end-to-end: median {statistics.median(e2e):.3f} s, max {max(e2e):.3f} s; "
          f"ratio to floor: median {statistics.median(ratios):.1f}x; "
          f"to the same work in-process: median {statistics.median(work_ratios):.1f}x")
    print(f"\nwhere the time went (ms): {'upload':>8}{'queued':>8}{'wait':>6}{'thumb':>7}{'rest':>6}   "
          "(response; job queued after the upload began; until the worker began it; until the thumbnail; "
          "until the last preset)")
    for path, *ms in steps:
        print(f"{path.name:<25}" + "".join(f"{v * 1000:>{w}.0f}" for v, w in zip(ms, (9, 8, 6, 7, 6), strict=True)))
    mb = 2**20
    print(f"peak RSS: web {sampler.peak['web'] / mb:.0f} MB; worker (qcluster parent) "
          f"{sampler.peak['worker'] / mb:.0f} MB; largest worker child {sampler.peak_child['worker'] / mb:.0f} MB")
    if big:
        seconds, before, after = big
        print(f"{args.big_mb} MB upload: {seconds:.1f} s ({args.big_mb / seconds:.0f} MB/s); web peak RSS "
              f"{before / 2**20:.0f} MB before, {after / 2**20:.0f} MB after")
    print(f"(data left in {work}; remove it when done)", file=sys.stderr)


if __name__ == "__main__":
    main()
