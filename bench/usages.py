"""Usages benchmark: turning 10,000 usages of one asset outdated when a newer version is approved.

`distribution.connections.usages.outdate` (the service the approval calls: one UPDATE, the senders read once,
one audit event, one notification per sender) against the bare UPDATE of the same rows in SQL, on the same
database in the same run; the usages are put back to "pushed" before every repetition. Prints the median of
the repetitions, milliseconds per usage and the ratio. The aim (issue #33): under 2 ms per usage.

    .venv/bin/python bench/usages.py [--usages 10000] [--senders 20] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench_usages .venv/bin/python bench/usages.py
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.database import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--usages", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.reuse = False
    prepare(parser, args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from PIL import Image

    from accounts.models import User
    from assets.models import Asset, Collection
    from distribution.connections import usages
    from distribution.models import Usage
    from ingest.services import asset_ingest

    call_command("migrate", verbosity=0)
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(picture, "PNG")
    picture.seek(0)
    asset = asset_ingest(fileobj=picture, filename="bench.png", actor=None,
                         collection=Collection.objects.create(name="Bench"), title="Bench")
    Asset.objects.filter(pk=asset.pk).update(approved_version=asset.current_version)
    asset.refresh_from_db()
    senders = [User.objects.create(username=f"sender{n}") for n in range(args.senders)]
    Usage.objects.bulk_create([Usage(asset=asset, version=asset.approved_version, system="postiz",
                                     by=senders[n % len(senders)], state="pushed", remote_id=str(n))
                               for n in range(args.usages)], batch_size=2000)
    table = Usage._meta.db_table

    def reset() -> None:
        Usage.objects.filter(asset=asset).update(state="pushed", outdated_at=None, reason="")

    def service() -> float:
        started = time.perf_counter()
        with transaction.atomic():
            turned = usages.outdate(asset, reason="version 2 was approved.")
        elapsed = time.perf_counter() - started
        assert turned == args.usages, turned
        return elapsed

    def bare() -> float:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET state = %s, outdated_at = %s, reason = %s "
                           "WHERE asset_id = %s AND state IN (%s, %s)",
                           ["outdated", timezone.now(), "version 2 was approved.", asset.pk, "pushed", "queued"])
            assert cursor.rowcount == args.usages, cursor.rowcount
        return time.perf_counter() - started

    timings: dict[str, list[float]] = {"service": [], "bare": []}
    for _ in range(args.repeat):  # alternated, so a slow moment of the machine falls on both
        for name, run in (("service", service), ("bare", bare)):
            reset()
            timings[name].append(run())
    service_s, bare_s = statistics.median(timings["service"]), statistics.median(timings["bare"])
    print(f"database: {connection.vendor}; {args.usages:,} usages of one asset, {args.senders} senders, "
          f"median of {args.repeat}")
    print(f"{'':28}{'total ms':>10}{'ms per usage':>14}")
    print(f"{'usages.outdate (service)':28}{service_s * 1000:>10.1f}{service_s * 1000 / args.usages:>14.4f}")
    print(f"{'bare UPDATE in SQL':28}{bare_s * 1000:>10.1f}{bare_s * 1000 / args.usages:>14.4f}")
    print(f"ratio service / bare UPDATE: {service_s / bare_s:.2f}x; aim: under 2 ms per usage "
          f"({'met' if service_s * 1000 / args.usages < 2 else 'not met'})")


if __name__ == "__main__":
    main()
