"""Ingest benchmark: end-to-end time per file (upload until every rendition exists) against a floor, plus RSS.

Starts a private DAM (fresh SQLite under a temporary DAM_DATA_DIR, `runserver` as the
web process, `qcluster` on the ORM broker as the worker), uploads generated
photographic-size images over HTTP with a token, and polls the API until the
renditions are ready, noting when the thumbnail alone is. In the same run, on the
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
import hashlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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
    """As assets/renditions.py does it with libvips: shrink-on-load to cover 2048 px, then each preset from the last."""
    start = time.perf_counter()
    sha256(path)
    header = pyvips.Image.new_from_file(str(path))
    options = {}
    if header.get("vips-loader").startswith("jpegload"):
        options["shrink"] = next(s for s in (8, 4, 2, 1) if max(header.width, header.height) / s >= 2048 or s == 1)
    im = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error", **options)
    for box in (2048, 1600, 400):
        scale = box / max(im.width, im.height)
        im = (im.resize(scale) if scale < 1 else im).copy_memory()
        im.jpegsave_buffer(Q=85, interlace=True, keep="none")
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


def wait_for_renditions(port: int, token: str, uid: str, timeout: float = 600) -> tuple[dict, float]:
    """Poll until no rendition is pending; returns their states and when (perf_counter) the thumbnail was done."""
    deadline = time.monotonic() + timeout
    thumb_done = None
    while time.monotonic() < deadline:
        renditions = get_json(port, token, f"/api/v1/assets/{uid}/")["renditions"]
        states = {k: v["status"] for k, v in renditions.items() if k != "original"}
        if thumb_done is None and states.get("thumb", "pending") != "pending":
            thumb_done = time.perf_counter()
        if states and all(s != "pending" for s in states.values()):
            return states, thumb_done
        time.sleep(0.05)
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
           "DAM_DEBUG": "1", "DAM_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
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
    worker = subprocess.Popen([*manage, "qcluster"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
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
            start = time.perf_counter()
            body = post_file(port, token, path)
            uploaded = time.perf_counter() - start
            states, thumb_done = wait_for_renditions(port, token, body["uid"])
            total = time.perf_counter() - start
            rows.append((path, uploaded, thumb_done - start, total, states))
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

    print(f"floor and same work with {'pyvips ' + pyvips.__version__ if pyvips else 'Pillow'}")
    print(f"{'file':<14}{'MB':>7}{'pixels':>12}{'upload s':>10}{'thumb s':>9}{'end-to-end s':>14}{'floor s':>9}"
          f"{'ratio':>7}{'same work s':>13}{'ratio':>7}  renditions")
    ratios, work_ratios = [], []
    for path, uploaded, to_thumb, total, states in rows:
        with Image.open(path) as im:
            pixels = f"{im.width}x{im.height}"
        ratio = total / floors[path]
        ratios.append(ratio)
        work_ratios.append(total / works[path])
        print(f"{path.name:<14}{path.stat().st_size / 1e6:>7.1f}{pixels:>12}{uploaded:>10.2f}{to_thumb:>9.2f}"
              f"{total:>14.2f}{floors[path]:>9.2f}{ratio:>7.1f}{works[path]:>13.2f}{work_ratios[-1]:>7.1f}  "
              f"{','.join(f'{k}={v}' for k, v in sorted(states.items()))}")
    e2e = [r[3] for r in rows]
    thumbs = [r[2] for r in rows]
    print(f"\ntime to thumbnail: median {statistics.median(thumbs):.2f} s, max {max(thumbs):.2f} s")
    print(f"end-to-end: median {statistics.median(e2e):.2f} s, max {max(e2e):.2f} s; "
          f"ratio to floor: median {statistics.median(ratios):.1f}x; "
          f"to the same work in-process: median {statistics.median(work_ratios):.1f}x")
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
