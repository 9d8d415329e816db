"""Retention benchmark: a rule's dry run and its run on a library of many assets.

A library of --assets assets (rows made in bulk, no files): half in a "Campaigns" folder tree of 10
sub-folders, half elsewhere; 60% uploaded 800 days ago; a recent download for a third of them; legal holds
on one sub-folder and on 100 single assets; 1% in review. The rule is the issue's "campaign assets not
downloaded for 2 years: archive". Prints:

- **dry run**: `selectors.rule_plan` (the three counts) and the first page of 50, as the dry-run page
  reads them; median of --repeat.
- **run**: `services.rule_run` over everything it matches (each asset locked, checked again, archived, one
  audit event), in ms per asset changed.

    .venv/bin/python bench/retention.py [--assets 20000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench_retention .venv/bin/python bench/retention.py
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.database import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.reuse = False
    prepare(parser, args)

    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from archive.models import LegalHold
    from archive.retention import selectors, services
    from assets.models import Asset, AssetVersion, Collection
    from distribution.models import DownloadEvent

    call_command("migrate", verbosity=0)
    campaigns = Collection.objects.create(name="Campaigns")
    campaigns.path = f"/{campaigns.pk}/"
    campaigns.save()
    folders = []
    for n in range(10):
        child = Collection.objects.create(name=f"Campaign {n}", parent=campaigns)
        child.path = f"{campaigns.path}{child.pk}/"
        child.save()
        folders.append(child)
    other = Collection.objects.create(name="Brand")
    other.path = f"/{other.pk}/"
    other.save()
    now = timezone.now()
    Asset.objects.bulk_create([Asset(title=f"Asset {n}", collection=folders[n % 10] if n % 2 else other,
                                     asset_type="image") for n in range(args.assets)], batch_size=2000)
    ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
    old = [pk for i, pk in enumerate(ids) if i % 10 < 6]
    Asset.objects.filter(pk__in=old).update(created_at=now - timedelta(days=800))
    DownloadEvent.objects.bulk_create([DownloadEvent(asset_id=pk, rendition="original")
                                       for i, pk in enumerate(ids) if i % 3 == 0], batch_size=2000)
    in_review = [pk for i, pk in enumerate(ids) if i % 100 == 5]
    AssetVersion.objects.bulk_create([AssetVersion(asset_id=pk, number=1, file=f"originals/x/{pk}", size=1,
                                                   original_filename="x.png", sha256="0" * 64, mime_type="image/png",
                                                   review_state="in_review") for pk in in_review], batch_size=2000)
    for version in AssetVersion.objects.filter(asset_id__in=in_review).only("pk", "asset_id"):
        Asset.objects.filter(pk=version.asset_id).update(current_version=version.pk)
    LegalHold.objects.create(collection=folders[3], reason="bench")
    LegalHold.objects.bulk_create([LegalHold(asset_id=pk, reason="bench") for pk in old[1:200:2]])
    rule = services.rule_create(actor=None, name="Campaign assets not downloaded for 2 years", action="archive",
                                collection=campaigns, not_downloaded_days=730)

    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        plan = selectors.rule_plan(rule)
        page = list(plan.to_act[:50])
        timings.append((time.perf_counter() - start) * 1000)
    print(f"{connection.vendor}, {args.assets} assets: the rule matches {plan.count}, skips "
          f"{plan.counts[selectors.HELD]} held and {plan.counts[selectors.IN_REVIEW]} in review; first page "
          f"{len(page)} rows")
    print(f"dry run (counts and first page): median {statistics.median(timings):.1f} ms over {args.repeat}")
    services.rule_enable(rule=rule, actor=None, confirm=plan.count)  # the second confirmation, as an admin gives it
    rule.refresh_from_db()
    start = time.perf_counter()
    run = services.rule_run(rule=rule, actor=None)
    took = time.perf_counter() - start
    print(f"run: {run.acted} archived, {len(run.skipped)} skipped in {took:.1f} s: "
          f"{took * 1000 / max(run.acted, 1):.2f} ms per asset changed")


if __name__ == "__main__":
    main()
