"""Near-duplicate lookup benchmark: "Visually similar" on an asset page, by hash bands against reading every hash.

    python bench/similar.py --assets 200000                      # SQLite, in a fresh temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench_similar python bench/similar.py --assets 1000000
    ... --reuse                                                  # time the data of an earlier run again

Generates N approved image assets with 64-bit perceptual hashes: 80% unrelated (uniform bits), 15% in
clusters of 2-8 edits of one picture (0-14 bits flipped), 5% near-blank pictures (edits of one flat
hash, as plain skies and white backgrounds give). They sit in 20 top-level folders; a restricted viewer
is granted 6. Versions are bulk-inserted (no files, no search index: the lookup reads neither).

Then for a fixed (seeded) sample of assets, as the viewer and as an editor (who compares current
versions), it times:
  bands    selectors.visually_similar as the asset page calls it (candidates from the four band indexes,
           measured, and only the close ones looked up among the assets the user sees)
  scan     the same answer the way it was found before the bands: every visible asset's hash read and
           measured in Python (the baseline, in the same run, on the same assets)
Every sampled answer is checked to be the same both ways. Prints p50/p95 (ms), the ratio of the
medians, how many versions the bands let in and how many of those were close. The PostgreSQL
database named in DATABASE_URL is dropped and recreated, unless --reuse.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--assets", type=int, default=50000)
parser.add_argument("--samples", type=int, default=100)
parser.add_argument("--seed", type=int, default=11)
database.add_reuse_option(parser)
args = parser.parse_args()
database.prepare(parser, args)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

call_command("migrate", verbosity=0)

from accounts import permissions as authority  # noqa: E402
from accounts.roles import Role  # noqa: E402
from assets import selectors, similarity  # noqa: E402
from assets.models import Asset, AssetVersion, ReviewState  # noqa: E402
from assets.services import collection_create, collection_grant  # noqa: E402
from dam import request_memo  # noqa: E402
from taxonomy.models import AssetType  # noqa: E402
from tests.factories import make_user  # noqa: E402

rng = random.Random(args.seed)


def edited(picture: int, most: int) -> int:
    for bit in rng.sample(range(64), rng.randint(0, most)):
        picture ^= 1 << bit
    return picture


def hashes(n: int) -> list[int]:
    out: list[int] = []
    blank = 0x8000_0000_0000_0000
    while len(out) < n:
        roll = rng.random()
        if roll < 0.80:
            out.append(rng.getrandbits(64))
        elif roll < 0.95:
            centre = rng.getrandbits(64)
            out.extend(edited(centre, 14) for _ in range(rng.randint(2, 8)))
        else:
            out.append(edited(blank, 6))
    rng.shuffle(out)
    return out[:n]


def build() -> dict:
    print(f"Generating {args.assets} assets on {connection.vendor}", flush=True)
    started = time.perf_counter()
    viewer = make_user("bench_viewer", Role.VIEWER)
    editor = make_user("bench_editor", Role.EDITOR)
    folders = [collection_create(name=f"Folder {i}", actor=None) for i in range(20)]
    for folder in folders[:6]:
        collection_grant(collection=folder, level="view", actor=None, user=viewer)
    values = hashes(args.assets)
    batch = 10000
    for start in range(0, args.assets, batch):
        with transaction.atomic():
            assets = Asset.objects.bulk_create(
                Asset(title=f"Picture {i}", collection=folders[rng.randrange(20)], asset_type=AssetType.IMAGE,
                      owner=editor) for i in range(start, min(start + batch, args.assets)))
            versions = AssetVersion.objects.bulk_create(
                AssetVersion(asset=asset, number=1, file=f"originals/bench/{asset.pk}", original_filename="x.jpg",
                             sha256=f"{asset.pk:064x}", size=1, mime_type="image/jpeg", width=6000, height=4000,
                             phash=f"{values[start + k]:016x}", review_state=ReviewState.APPROVED)
                for k, asset in enumerate(assets))
            for asset, version in zip(assets, versions, strict=True):
                asset.current_version_id = asset.approved_version_id = version.pk
            Asset.objects.bulk_update(assets, ["current_version", "approved_version"], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    return {"viewer": viewer, "editor": editor}


def scan(user, asset) -> list[tuple[int, int]]:
    """The lookup before the bands (before migration 0017): every visible asset's shown hash, measured here."""
    version = selectors.version_shown_to(user, asset)
    mine = similarity.parse(version.phash)
    seen = seen_by(user)
    candidates = (selectors.assets_visible_to(user).exclude(pk=asset.pk).exclude(**{f"{seen}__phash": ""})
                  .filter(**{f"{seen}__isnull": False}).values_list("pk", f"{seen}__phash"))
    close = []
    for pk, phash in candidates.iterator(chunk_size=2000):
        apart = bin(mine ^ int(phash, 16)).count("1")
        if apart <= similarity.THRESHOLD:
            close.append((apart, pk))
    close.sort()
    return close[:12]


def seen_by(user) -> str:
    return "current_version" if authority.can(user, authority.Cap.SEE_UNAPPROVED) else "approved_version"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def candidates(user, asset) -> tuple[int, int]:
    """How many versions the bands let in, and how many of those are within the threshold."""
    phash = selectors.version_shown_to(user, asset).phash
    return len(dict(similarity.candidates(AssetVersion.objects.all(), phash))), len(selectors.versions_near(phash))


def run(data: dict) -> None:
    for who in ("viewer", "editor"):
        user = data[who]
        pool = list(selectors.assets_visible_to(user).order_by("pk").values_list("pk", flat=True))
        sample = [Asset.objects.get(pk=pk) for pk in random.Random(args.seed + 1).sample(pool, args.samples)]
        times: dict[str, list[float]] = {"bands": [], "scan": []}
        found = 0
        for asset in sample:
            with request_memo.scope():
                answer = [(apart, other.pk) for other, apart in selectors.visually_similar(user, asset)]
                assert answer == scan(user, asset), asset.pk  # and a warm-up of both
                found += bool(answer)
                for name, lookup in (("bands", selectors.visually_similar), ("scan", scan)):
                    start = time.perf_counter()
                    lookup(user, asset)
                    times[name].append(time.perf_counter() - start)
        counted = [candidates(user, asset) for asset in sample]
        (b50, b95), (s50, s95) = percentiles(times["bands"]), percentiles(times["scan"])
        print(f"\n{who}: {len(pool)} visible assets, {args.samples} asset pages, {found} with a similar asset")
        let_in, close = zip(*counted, strict=True)
        print(f"  bands  p50 {b50:8.1f} ms   p95 {b95:8.1f} ms   versions let in p50 {statistics.median(let_in):.0f}, "
              f"max {max(let_in)}; of them close p50 {statistics.median(close):.0f}, max {max(close)}")
        print(f"  scan   p50 {s50:8.1f} ms   p95 {s95:8.1f} ms")
        print(f"  scan / bands at the median: {s50 / b50:.0f}x")


def reuse() -> dict:
    if Asset.objects.count() != args.assets:
        sys.exit(f"--reuse: the database holds {Asset.objects.count()} assets, not {args.assets}")
    print(f"Reusing {args.assets} assets on {connection.vendor}", flush=True)
    users = get_user_model().objects
    return {"viewer": users.get(username="bench_viewer"), "editor": users.get(username="bench_editor")}


data = reuse() if args.reuse else build()
run(data)
