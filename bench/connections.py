"""Connections benchmark: pushing one approved 24 MP JPEG to the stand-in Postiz, against plain httpx.

The stand-in Postiz (tests/connections/postiz_standin.py) runs in a process of its own on loopback, so the
server's work does not share this process's interpreter with the clients measured. A 24 MP photograph (the
ingest bench's generator, JPEG q92) is made once and held in memory, as the derivative the push sends.

- **push**: what the push job does with the derivative's bytes: `fit` (type read from the bytes, kept as it is
  since Postiz takes it), `PostizClient.upload` (multipart body built with urllib3, sent through
  `distribution.outbound.call`: address checked, a new connection, `Connection: close`) and
  `PostizClient.create_draft` for one channel (its provider given, so no channel lookup).
- **httpx**: the same bytes uploaded with `httpx.Client.post(files=...)` and the same draft body sent with
  `post(json=...)`, on one `httpx.Client` made before the clock starts (so the two requests share a
  connection: the best plain httpx does) and closed after.

The stand-in sets TCP_NODELAY on its connections, as Node's HTTP server (Postiz's) does: without it, an
answer on a kept-alive connection (httpx's second request) waited ~40 ms for a delayed ACK, which made httpx
look three times slower than it is.

Runs alternate between the two (which goes first alternates too), after warm-up runs; medians of each part
and of the whole, and push / httpx (aim <= 1.3x).

httpx, the peer, is pinned in requirements-dev.txt (`make test` installs it).

    .venv/bin/python bench/connections.py [--runs 40] [--warmup 5]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
CHANNEL, PROVIDER = "ch-linkedin-0001", "linkedin"
CAPTION = "Spring collection: the new catalogue is out. Photo: Studio North, CC BY 4.0."
ALT = "A model in a yellow raincoat on a rainy street"

# The stand-in, in its own process: prints its URL and key, serves until its stdin closes.
STANDIN = r"""
import sys
from tests.connections.postiz_standin import PostizStandIn
standin = PostizStandIn(post_limit=10**9, keep_files=False)
print(standin.url, standin.key, flush=True)
sys.stdin.read()
standin.stop()
"""


def _photographic() -> Any:
    """bench/ingest.py's camera-like picture generator, by its path (the name `ingest` is also the app's)."""
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.photographic


def draft_body(media_id: str, path: str) -> dict[str, Any]:
    """The body httpx sends: the one PostizClient.create_draft sends (checked equal before timing)."""
    return {"type": "draft", "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "shortLink": False,
            "tags": [], "posts": [{"integration": {"id": CHANNEL},
                                   "value": [{"content": CAPTION, "image": [{"id": media_id, "path": path,
                                                                             "alt": ALT}]}],
                                   "settings": {"__type": PROVIDER}}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed pushes of each kind")
    parser.add_argument("--warmup", type=int, default=5, help="untimed pushes of each kind first")
    args = parser.parse_args()
    try:
        import httpx
    except ImportError:
        sys.exit("httpx is needed for the comparison (a bench-only dependency): .venv/bin/pip install httpx")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dam.settings")
    os.environ["DAM_WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"  # the stand-in is on loopback
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from distribution.connections.files import fit
    from distribution.connections.postiz import ACCEPTED, MAX_IMAGE_BYTES, MAX_VIDEO_BYTES, PostizClient

    with tempfile.TemporaryDirectory(prefix="dam-connections-bench-") as work:
        photo = Path(work) / "photo.jpg"
        print("generating a 24 MP photograph ...", file=sys.stderr)
        _photographic()(photo, (6000, 4000), "JPEG", 0)
        data = photo.read_bytes()

    server = subprocess.Popen([PYTHON, "-c", STANDIN], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert server.stdout is not None
        url, key = server.stdout.readline().split()
        client = PostizClient(url, key)

        def push() -> dict[str, float]:
            t0 = time.perf_counter()
            upload = fit(data, "photo.jpg", accept=ACCEPTED, max_bytes=MAX_IMAGE_BYTES,
                         max_video_bytes=MAX_VIDEO_BYTES)
            t1 = time.perf_counter()
            media = client.upload(upload)
            t2 = time.perf_counter()
            client.create_draft(channel_id=CHANNEL, text=CAPTION, media=media, alt=ALT, identifier=PROVIDER)
            t3 = time.perf_counter()
            assert upload.data is data  # kept as it is: Postiz takes this JPEG
            return {"fit": t1 - t0, "upload": t2 - t1, "post": t3 - t2, "total": t3 - t0}

        def plain() -> dict[str, float]:
            with httpx.Client(headers={"Authorization": key}) as session:
                t0 = time.perf_counter()
                answer = session.post(f"{url}/public/v1/upload", files={"file": ("photo.jpg", data, "image/jpeg")})
                answer.raise_for_status()
                media = answer.json()
                t1 = time.perf_counter()
                posted = session.post(f"{url}/public/v1/posts", json=draft_body(media["id"], media["path"]))
                posted.raise_for_status()
                t2 = time.perf_counter()
            return {"fit": 0.0, "upload": t1 - t0, "post": t2 - t1, "total": t2 - t0}

        # Both send the same draft: compare the bodies once (the dates aside).
        push()
        plain()
        check = PostizClient(url, key)
        media = check.upload(fit(data, "photo.jpg", accept=ACCEPTED, max_bytes=MAX_IMAGE_BYTES))
        sent = capture_body(check, media)
        expected = draft_body(media.id, media.path)
        sent["date"] = expected["date"] = ""
        assert sent == expected, (sent, expected)

        for _ in range(args.warmup):
            push()
            plain()
        timings: dict[str, list[dict[str, float]]] = {"push": [], "httpx": []}
        for n in range(args.runs):
            order = [("push", push), ("httpx", plain)]
            for name, run in order if n % 2 == 0 else reversed(order):
                timings[name].append(run())
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    report(args, len(data), timings)


def capture_body(client: Any, media: Any) -> dict[str, Any]:
    """The JSON body create_draft sends, caught on its way to outbound.call."""
    from distribution import outbound

    caught: dict[str, Any] = {}
    real = outbound.call

    def spy(method: str, url: str, **kwargs: Any) -> Any:
        caught.update(json.loads(kwargs["body"]))
        return real(method, url, **kwargs)

    outbound.call = spy  # type: ignore[assignment]
    try:
        client.create_draft(channel_id=CHANNEL, text=CAPTION, media=media, alt=ALT, identifier=PROVIDER)
    finally:
        outbound.call = real  # type: ignore[assignment]
    return caught


def report(args: argparse.Namespace, size: int, timings: dict[str, list[dict[str, float]]]) -> None:
    ms = 1000
    med = {name: {part: statistics.median(r[part] for r in runs) for part in ("fit", "upload", "post", "total")}
           for name, runs in timings.items()}
    p90 = {name: statistics.quantiles([r["total"] for r in runs], n=10)[-1] for name, runs in timings.items()}
    print(f"\npush of one 24 MP JPEG ({size:,} bytes, in memory) to the stand-in Postiz (own process, loopback); "
          f"{args.runs} runs each, interleaved, after {args.warmup} warm-up; medians, ms")
    print(f"{'':34}{'fit':>8}{'upload':>9}{'draft':>8}{'total':>8}{'p90':>8}")
    labels = {"push": "PostizClient (fit+upload+draft)", "httpx": "httpx (upload + JSON POST)"}
    for name in ("push", "httpx"):
        m = med[name]
        print(f"{labels[name]:34}{m['fit'] * ms:8.2f}{m['upload'] * ms:9.2f}{m['post'] * ms:8.2f}"
              f"{m['total'] * ms:8.2f}{p90[name] * ms:8.2f}")
    ratio = med["push"]["total"] / med["httpx"]["total"]
    print(f"ratio push / httpx (medians)      {ratio:.2f}x   aim <= 1.3x: {'met' if ratio <= 1.3 else 'NOT MET'}")


if __name__ == "__main__":
    main()
