"""WebDAV drive benchmark: the drive against the JSON API doing the same work, measured in the same run.

Starts a private DAM (fresh SQLite under a temporary DAM_DATA_DIR, DAM_DEBUG off, `runserver --noreload` as the
web process, no job worker, so renditions wait in the queue for both sides alike) whose data a set-up process
makes through the services beforehand. One editor, `bench`, manages the folder `Bench` and signs in to the
drive with Basic (username and API token) and to the API with `Authorization: Token`. Three measurements:

1. GET of a 200 MB original (--big-mb): `/dav/Bench/big.wav` against `GET /api/v1/assets/{uid}/download/
   ?rendition=original`. The asset is ingested as a small WAV (sent as it is by both: JPEG originals get their
   rights written in by the API) whose stored file is then replaced by random bytes and its `size` set to match.
   Alternating, --downloads each, a new connection each, reading the whole body; the best throughput of each
   and the ratio drive/API (aim >= 0.8), with the web process's RSS growth during the drive's downloads.
2. Listing a folder of 1,000 assets (--assets): `PROPFIND` depth 1 on `/dav/Bench/Thousand/` against the same
   1,000 through `GET /api/v1/assets/?collection=<id>&page_size=200`, following `next` to the end. Alternating,
   --listings each; medians and the ratio (aim <= 1.0). The SQL queries of one PROPFIND are counted in a
   process of their own (Django's test client and CaptureQueriesContext, same database) on folders of 10, 100
   and 1,000 assets: a constant number is the aim.
3. PUT of a 24 MP JPEG as a new revision: `PUT /dav/Bench/photo.jpg` against `POST /api/v1/assets/{uid}/
   versions/` (multipart) onto another asset, alternating, --puts each; every body is the same photograph with
   a different JPEG comment (a new sha256: the duplicate rule would refuse equal bytes). Medians and the ratio
   drive/API (aim <= 1.2).

    .venv/bin/python bench/dav.py [--big-mb 200] [--assets 1000] [--downloads 3] [--listings 5] [--puts 5] [--keep]

Prints a table of ratios; docs/performance.md and docs/dav.md record a run.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.processes import RssSampler, free_port, rss

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = "bench-pass-2026"
MB = 2**20


def _bench_ingest() -> Any:
    """bench/ingest.py, by its path (the name `ingest` is also the app's): its camera-like picture generator."""
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Run with django.setup() in a process of its own: makes the data through the services, prints it as JSON.
SETUP = r"""
import io, json, os, sys, time, wave
import django
django.setup()
from django.core.files.storage import default_storage
from accounts.models import User
from accounts.services import token_create
from assets import services
from assets.models import AssetVersion
from ingest.services import asset_ingest

args = json.loads(os.environ["BENCH_SETUP"])
user = User.objects.get(username="bench")


def wav(n_bytes):  # random samples: every file differs (no duplicate refused)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(os.urandom(n_bytes - n_bytes % 2))
    out.seek(0)
    return out


bench = services.collection_create(name="Bench", actor=None)
services.collection_grant(collection=bench, level="manage", actor=None, user=user)
out = {"token": token_create(user=user, name="WebDAV drive", actor=None)[1]}

big = asset_ingest(fileobj=wav(64 * 1024), filename="big.wav", actor=user, collection=bench, title="Big")
version = big.current_version
path = default_storage.path(version.file.name)
block = os.urandom(MB := 1024 * 1024)
with open(path, "wb") as fh:  # the stored original replaced by big_bytes of bytes (see the docstring)
    for _ in range(args["big_bytes"] // MB):
        fh.write(block)
AssetVersion.objects.filter(pk=version.pk).update(size=os.path.getsize(path))
out["big"] = {"uid": str(big.uid), "size": os.path.getsize(path)}

with open(args["photo"], "rb") as fh:
    out["photo_dav"] = str(asset_ingest(fileobj=fh, filename="photo.jpg", actor=user, collection=bench,
                                        title="Photo (drive)").uid)
with open(args["photo2"], "rb") as fh:
    out["photo_api"] = str(asset_ingest(fileobj=fh, filename="photo-api.jpg", actor=user, collection=bench,
                                        title="Photo (API)").uid)

started = time.perf_counter()
folders = {}
for name, count in (("Ten", 10), ("Hundred", 100), ("Thousand", args["assets"])):
    folder = services.collection_create(name=name, parent=bench, actor=None)
    for n in range(count):
        asset_ingest(fileobj=wav(2048), filename=f"{name.lower()}-{n:04}.wav", actor=user, collection=folder,
                     title=f"{name} {n}")
    folders[name] = {"id": folder.pk, "count": count}
print(f"{sum(f['count'] for f in folders.values())} small assets in {time.perf_counter() - started:.1f} s",
      file=sys.stderr)
out["folders"] = folders
print(json.dumps(out))
"""

# Counts the SQL queries of one PROPFIND per folder, through Django's test client against the same database.
COUNT = r"""
import base64, json, os
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

args = json.loads(os.environ["BENCH_COUNT"])
auth = "Basic " + base64.b64encode(f"bench:{args['token']}".encode()).decode()
client = Client(HTTP_AUTHORIZATION=auth, HTTP_HOST="127.0.0.1")
client.generic("PROPFIND", "/dav/Bench/Ten/", HTTP_DEPTH="1")  # warm: imports, the provider
counts = {}
for name in args["folders"]:
    with CaptureQueriesContext(connection) as queries:  # the body too: a streamed answer may query as it goes
        answer = client.generic("PROPFIND", f"/dav/Bench/{name}/", HTTP_DEPTH="1")
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    assert answer.status_code == 207, answer.status_code
    counts[name] = {"queries": len(queries.captured_queries), "responses": body.count(b"response>") // 2}
print(json.dumps(counts))
"""


def request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None,
            timeout: float = 600) -> tuple[int, int, float, bytes]:
    """One request on a new connection, reading the whole answer: (status, bytes, seconds, the first 64 KB)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        size, head = 0, b""
        while chunk := response.read(1024 * 1024):
            size += len(chunk)
            if len(head) < 65536:
                head += chunk[:65536 - len(head)]
        return response.status, size, time.perf_counter() - start, head
    finally:
        conn.close()


def with_comment(jpeg: bytes, n: int) -> bytes:
    """The same JPEG with a COM segment after SOI: other bytes, the same picture."""
    text = f"bench revision {n} {uuid.uuid4()}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def downloads(pid: int, port: int, dav: dict[str, str], api: dict[str, str], made: dict, times: int) -> dict:
    big = made["big"]
    paths = {"drive": ("/dav/Bench/big.wav", dav), "api": (f"/api/v1/assets/{big['uid']}/download/?rendition=original",
                                                           api)}
    for path, headers in paths.values():  # warm, and the same bytes both ways
        status, size, _, _ = request(port, "GET", path, headers)
        if (status, size) != (200, big["size"]):
            raise RuntimeError(f"{path}: {status}, {size} bytes, expected {big['size']}")
    seconds: dict[str, list[float]] = {"drive": [], "api": []}
    growth = 0
    print(f"part 1: {times} downloads of {big['size'] / MB:.0f} MB each way ...", file=sys.stderr)
    for n in range(times):
        for way in (("drive", "api") if n % 2 == 0 else ("api", "drive")):
            path, headers = paths[way]
            time.sleep(0.3)
            baseline = rss(pid)
            sampler = RssSampler(pid)
            sampler.start()
            try:
                status, size, took, _ = request(port, "GET", path, headers)
            finally:
                sampler.stop.set()
                sampler.join()
            if (status, size) != (200, big["size"]):
                raise RuntimeError(f"{path}: {status}, {size} bytes")
            seconds[way].append(took)
            if way == "drive":
                growth = max(growth, sampler.peak - baseline)
    return {"seconds": seconds, "growth": growth, "size": big["size"]}


def listings(port: int, dav: dict[str, str], api: dict[str, str], made: dict, times: int) -> dict:
    folder = made["folders"]["Thousand"]
    expected = folder["count"]

    def propfind() -> float:
        status, _, took, head = request(port, "PROPFIND", "/dav/Bench/Thousand/", {**dav, "Depth": "1"})
        if status != 207:
            raise RuntimeError(f"PROPFIND: {status} {head[:200]!r}")
        return took

    def api_pages() -> float:
        took, seen = 0.0, 0
        path: str | None = f"/api/v1/assets/?collection={folder['id']}&page_size=200"
        while path:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            start = time.perf_counter()
            conn.request("GET", path, headers=api)
            response = conn.getresponse()
            body = json.loads(response.read())
            took += time.perf_counter() - start
            conn.close()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            seen += len(body["results"])
            nxt = body.get("next")
            path = (urlsplit(nxt).path + "?" + urlsplit(nxt).query) if nxt else None
        if seen != expected:
            raise RuntimeError(f"the API listed {seen} assets, expected {expected}")
        return took

    propfind(), api_pages()  # warm
    seconds: dict[str, list[float]] = {"drive": [], "api": []}
    print(f"part 2: {times} listings of {expected} assets each way ...", file=sys.stderr)
    for n in range(times):
        for way in (("drive", "api") if n % 2 == 0 else ("api", "drive")):
            seconds[way].append(propfind() if way == "drive" else api_pages())
    return {"seconds": seconds, "count": expected}


def puts(port: int, dav: dict[str, str], api: dict[str, str], made: dict, photo: bytes, times: int) -> dict:
    seconds: dict[str, list[float]] = {"drive": [], "api": []}
    print(f"part 3: {times} new revisions of a {len(photo) / MB:.1f} MB JPEG each way ...", file=sys.stderr)
    n = 0
    for round_ in range(times + 1):  # the first round warms both paths and is not counted
        for way in (("drive", "api") if round_ % 2 == 0 else ("api", "drive")):
            n += 1
            data = with_comment(photo, n)
            if way == "drive":
                status, _, took, head = request(port, "PUT", "/dav/Bench/photo.jpg",
                                                {**dav, "Content-Type": "image/jpeg", "User-Agent": "bench"}, data)
                ok = status in (200, 201, 204)
            else:
                body, kind = multipart("file", "photo-api.jpg", data)
                status, _, took, head = request(port, "POST", f"/api/v1/assets/{made['photo_api']}/versions/",
                                                {**api, "Content-Type": kind}, body)
                ok = status == 201
            if not ok:
                raise RuntimeError(f"{way} new revision: {status} {head[:300]!r}")
            if round_:
                seconds[way].append(took)
    return {"seconds": seconds, "bytes": len(photo)}


def report(args: argparse.Namespace, got: dict, counts: dict) -> None:
    aims = []
    d = got["downloads"]
    best = {way: d["size"] / min(s) / MB for way, s in d["seconds"].items()}
    ratio = best["drive"] / best["api"]
    aims.append((f"GET {d['size'] / MB:.0f} MB: drive {ratio:.2f}x the API's throughput (aim >= 0.8x)", ratio >= 0.8))
    print(f"\n1. GET of a {d['size'] / MB:.0f} MB original, a new connection each, best of {args.downloads}; MB/s")
    print(f"   drive (/dav/)            {best['drive']:8.1f}   all: "
          + ", ".join(f"{d['size'] / s / MB:.0f}" for s in d["seconds"]["drive"]))
    print(f"   API download             {best['api']:8.1f}   all: "
          + ", ".join(f"{d['size'] / s / MB:.0f}" for s in d["seconds"]["api"]))
    print(f"   ratio drive / API        {ratio:8.2f}x   web process RSS growth during the drive's: "
          f"{d['growth'] / MB:.1f} MB")
    aims.append((f"GET through the drive streams: RSS growth {d['growth'] / MB:.1f} MB (aim < 50 MB)",
                 d["growth"] < 50 * MB))
    li = got["listings"]
    med = {way: statistics.median(s) for way, s in li["seconds"].items()}
    ratio = med["drive"] / med["api"]
    aims.append((f"list {li['count']}: PROPFIND {ratio:.2f}x the API's paged listing (aim <= 1.0x)", ratio <= 1.0))
    print(f"\n2. listing {li['count']} assets, median of {args.listings}; ms")
    print(f"   PROPFIND depth 1         {med['drive'] * 1000:8.1f}   all: "
          + ", ".join(f"{s * 1000:.0f}" for s in li["seconds"]["drive"]))
    print(f"   API, pages of 200        {med['api'] * 1000:8.1f}   all: "
          + ", ".join(f"{s * 1000:.0f}" for s in li["seconds"]["api"]))
    print(f"   ratio drive / API        {ratio:8.2f}x")
    print("   SQL queries of one PROPFIND: " + ", ".join(
        f"{c['responses'] - 1} assets: {c['queries']}" for c in counts.values()))
    queries = {c["queries"] for c in counts.values()}
    aims.append((f"PROPFIND queries constant in the folder's size: {sorted(queries)}", len(queries) == 1))
    p = got["puts"]
    med = {way: statistics.median(s) for way, s in p["seconds"].items()}
    ratio = med["drive"] / med["api"]
    aims.append((f"PUT {p['bytes'] / MB:.1f} MB JPEG: drive {ratio:.2f}x the API's POST /versions/ (aim <= 1.2x)",
                 ratio <= 1.2))
    print(f"\n3. a new revision of a 24 MP JPEG ({p['bytes'] / MB:.1f} MB), median of {args.puts}; ms")
    print(f"   PUT through the drive    {med['drive'] * 1000:8.1f}   all: "
          + ", ".join(f"{s * 1000:.0f}" for s in p["seconds"]["drive"]))
    print(f"   POST /versions/          {med['api'] * 1000:8.1f}   all: "
          + ", ".join(f"{s * 1000:.0f}" for s in p["seconds"]["api"]))
    print(f"   ratio drive / API        {ratio:8.2f}x")
    print("\naims:")
    for text, met in aims:
        print(f"  {'met    ' if met else 'NOT MET'}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=200, help="size of the big original (part 1)")
    parser.add_argument("--assets", type=int, default=1000, help="assets in the listed folder (part 2)")
    parser.add_argument("--downloads", type=int, default=3, help="downloads each way (part 1)")
    parser.add_argument("--listings", type=int, default=5, help="listings each way (part 2)")
    parser.add_argument("--puts", type=int, default=5, help="new revisions each way (part 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, logs)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dam-dav-bench-"))
    web = None
    try:
        env = {**os.environ, "DAM_DATA_DIR": str(work / "data"), "DAM_SYNC_TASKS": "0", "DAM_DEBUG": "0",
               "DAM_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2, "DAM_LOG_LEVEL": "WARNING",
               "DAM_ANALYSERS": "none", "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dam.settings"}
        env.pop("DATABASE_URL", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "createuser", "bench", "--role", "editor", "--password", PASSWORD], env=env,
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print("generating two 24 MP photographs and setting up the data ...", file=sys.stderr)
        photographic = _bench_ingest().photographic
        photo, photo2, body = work / "photo.jpg", work / "photo2.jpg", work / "body.jpg"
        photographic(photo, (6000, 4000), "JPEG", 0)
        photographic(photo2, (6000, 4000), "JPEG", 1)
        photographic(body, (6000, 4000), "JPEG", 2)
        start = time.perf_counter()
        setup = {"photo": str(photo), "photo2": str(photo2), "big_bytes": args.big_mb * MB, "assets": args.assets}
        done = subprocess.run([PYTHON, "-c", SETUP], env={**env, "BENCH_SETUP": json.dumps(setup)}, check=True,
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
        made = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"set-up took {time.perf_counter() - start:.0f} s", file=sys.stderr)
        counted = subprocess.run([PYTHON, "-c", COUNT], check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env={**env, "BENCH_COUNT": json.dumps(
                                     {"token": made["token"], "folders": list(made["folders"])})})
        counts = json.loads(counted.stdout.strip().splitlines()[-1])

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
        basic = base64.b64encode(f"bench:{made['token']}".encode()).decode()
        dav = {"Authorization": f"Basic {basic}"}
        api = {"Authorization": f"Token {made['token']}"}
        got = {"downloads": downloads(web.pid, port, dav, api, made, args.downloads),
               "listings": listings(port, dav, api, made, args.listings),
               "puts": puts(port, dav, api, made, body.read_bytes(), args.puts)}
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=30)
        if args.keep:
            print(f"(data left in {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(args, got, counts)


if __name__ == "__main__":
    main()
