"""Analytics benchmark: each panel of the report against the plain COUNT(*) of the rows it reads, and the whole
report against the asset list page.

    python bench/analytics.py                                   # SQLite, in a fresh temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench_analytics python bench/analytics.py
    python bench/analytics.py --assets 10000 --downloads 100000 --searches 20000   # the shape, quickly

Generates N assets (default 100,000) in 20 folders, with versions, three term links each and a review each
(two approval steps, times spread over hours), 1,000,000 download events over the last year (every
channel, some through share links and integrations) and 200,000 recorded searches (Zipf words, 10 % without
results, a third opened). All rows are bulk-inserted with their timestamps; then every closed day is rolled up
(`analytics.rollups.catch_up`, timed), as the hourly job would have done. `--reuse` times the data of an
earlier run again (after rolling up the days that ended since). The brand manager sees 6 of the
20 folders (the scoped case); the admin sees everything.

For each panel, as the brand manager and as the admin over the last 365 days: the median time of the panel
(`analytics.selectors.PANELS[name].rows`) and of the plain COUNT(*) of the same filtered rows (the events in
the period of the assets the reader sees, the assets in scope, ...), and their ratio (aim: <= 3). Then the
p95 of the whole report (`report`) against the p95 of the asset list page (GET /assets/ as a viewer, through
the Django test client) (aim: <= 5).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import database

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--assets", type=int, default=100_000)
parser.add_argument("--downloads", type=int, default=1_000_000)
parser.add_argument("--searches", type=int, default=200_000)
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--seed", type=int, default=7)
database.add_reuse_option(parser)
args = parser.parse_args()
database.prepare(parser, args)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.roles import ROLE_GROUP_NAMES, Role  # noqa: E402
from analytics import rollups  # noqa: E402
from analytics.models import DownloadDay, SearchDay  # noqa: E402
from analytics.selectors import PANELS, ReportQuery, report  # noqa: E402
from analytics.selectors.query import in_period, in_scope, scope_assets  # noqa: E402
from assets.models import Asset, AssetTerm, AssetVersion, Collection, ReviewState  # noqa: E402
from assets.services import collection_grant, collection_revoke  # noqa: E402
from distribution.models import DownloadEvent, Integration, ShareLink  # noqa: E402
from search import index  # noqa: E402
from search.models import SearchEvent  # noqa: E402
from taxonomy.models import AssetType, Term, Vocabulary  # noqa: E402
from workflows.models import ApprovalPolicy, Review, ReviewDecision  # noqa: E402

rng = random.Random(args.seed)
now = timezone.now()
BATCH = 10_000


def bulk(model, rows, *, dated: bool = True) -> None:
    """bulk_create in batches, keeping the rows' own created_at (`dated`): auto_now_add would stamp them "now"."""
    field = model._meta.get_field("created_at")
    kept, field.auto_now_add = field.auto_now_add, not dated
    try:
        for start in range(0, len(rows), BATCH):
            with transaction.atomic():
                model.objects.bulk_create(rows[start:start + BATCH])
    finally:
        field.auto_now_add = kept


def generate() -> dict:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest that DEBUG-off pages link to
    make = account_services.user_create
    admin = make(username="bench_admin", role=Role.ADMIN, password="x" * 12, actor=None, validate=False)
    manager = make(username="bench_manager", role=Role.BRAND_MANAGER, password="x" * 12, actor=None, validate=False)
    viewer = make(username="bench_viewer", role=Role.VIEWER, password="x" * 12, actor=None, validate=False)
    library = Collection.objects.get(parent=None, name="Library")
    folders = []
    for n in range(20):
        folder = Collection.objects.create(name=f"Folder {n}", parent=library)
        folder.path = f"{library.path}{folder.pk}/"
        folder.save(update_fields=["path"])
        folders.append(folder)
    collection_revoke(collection=library, level="view", actor=None,
                      group=Group.objects.get(name=ROLE_GROUP_NAMES[Role.BRAND_MANAGER]))
    for folder in folders[:6]:
        collection_grant(collection=folder, level="view", actor=None, user=manager)
    vocabulary = Vocabulary.objects.create(uri="https://bench.example.org/v/", title="Bench")
    Term.objects.bulk_create([Term(vocabulary=vocabulary, uri=f"https://bench.example.org/v/{n}", label=f"term {n}")
                              for n in range(600)])
    terms = list(Term.objects.values_list("pk", flat=True))
    types = [AssetType.IMAGE] * 8 + [AssetType.VIDEO, AssetType.DOCUMENT]
    started = time.perf_counter()
    assets = [Asset(title=f"Asset {n}", collection=folders[rng.randrange(20)], asset_type=rng.choice(types),
                    owner=admin, created_at=now - dt.timedelta(days=rng.uniform(0, 730)),
                    rights_expire_at=now + dt.timedelta(days=rng.randint(1, 400)) if rng.random() < 0.2 else None)
              for n in range(args.assets)]
    bulk(Asset, assets)
    assets = list(Asset.objects.order_by("pk").only("pk", "created_at"))
    versions = [AssetVersion(asset_id=a.pk, number=1, file=f"originals/bench/{a.pk}", original_filename="a.jpg",
                             sha256=f"{a.pk:064x}", size=rng.randint(50_000, 40_000_000), mime_type="image/jpeg",
                             review_state=ReviewState.APPROVED if rng.random() > 0.05 else ReviewState.IN_REVIEW,
                             created_at=a.created_at) for a in assets]
    bulk(AssetVersion, versions)
    by_asset = dict(AssetVersion.objects.values_list("asset_id", "pk"))
    states = dict(AssetVersion.objects.values_list("pk", "review_state"))
    for start in range(0, len(assets), BATCH):
        chunk = assets[start:start + BATCH]
        for a in chunk:
            a.current_version_id = by_asset[a.pk]
            a.approved_version_id = by_asset[a.pk] if states[by_asset[a.pk]] == ReviewState.APPROVED else None
        with transaction.atomic():
            Asset.objects.bulk_update(chunk, ["current_version", "approved_version"], batch_size=2000)
    links = [AssetTerm(asset_id=a.pk, term_id=t) for a in assets for t in rng.sample(terms[:400], 3)]
    bulk(AssetTerm, links, dated=False)
    policy = ApprovalPolicy.objects.get(is_default=True)
    reviews = [Review(version_id=by_asset[a.pk], policy=policy, created_at=a.created_at,
                      outcome=Review.Outcome.APPROVED if states[by_asset[a.pk]] == ReviewState.APPROVED
                      else Review.Outcome.OPEN) for a in assets]
    bulk(Review, reviews)
    decisions = []
    for review_id, created, outcome in Review.objects.values_list("pk", "created_at", "outcome"):
        if outcome != Review.Outcome.APPROVED:
            continue
        first = created + dt.timedelta(hours=rng.expovariate(1 / 8))
        decisions.append(ReviewDecision(review_id=review_id, step=1, reviewer=admin, kind="approve", sha256="0",
                                        created_at=first))
        decisions.append(ReviewDecision(review_id=review_id, step=2, reviewer=admin, kind="approve", sha256="0",
                                        created_at=first + dt.timedelta(hours=rng.expovariate(1 / 20))))
    bulk(ReviewDecision, decisions)
    print(f"  {args.assets} assets with versions, terms and reviews: {time.perf_counter() - started:.0f} s", flush=True)
    integrations = [Integration.objects.create(name=f"Tool {n}", prefix=f"k{n}", key_hash=f"{n:064x}")
                    for n in range(3)]
    links_ = [ShareLink.objects.create(token=f"bench{n}", title=f"Link {n}", created_by=admin) for n in range(50)]
    started = time.perf_counter()
    popular = [a.pk for a in assets]
    weights = [1 / (rank + 1) for rank in range(len(popular))]
    chosen = rng.choices(popular, cum_weights=list(_cumulative(weights)), k=args.downloads)
    for start in range(0, len(chosen), BATCH):  # built batch by batch: a million model objects at once is ~1 GB
        events = []
        for asset_id in chosen[start:start + BATCH]:
            roll = rng.random()
            events.append(DownloadEvent(
                asset_id=asset_id, version_id=by_asset[asset_id], rendition="original",
                channel="share" if roll < 0.15 else "delivery" if roll < 0.45 else "web",
                share_link=links_[rng.randrange(50)] if roll < 0.15 else None,
                integration=integrations[rng.randrange(3)] if 0.30 <= roll < 0.45 else None,
                created_at=now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400))))
        bulk(DownloadEvent, events)
    print(f"  {args.downloads} download events: {time.perf_counter() - started:.0f} s", flush=True)
    words = [f"word{n}" for n in range(5000)]
    word_weights = list(_cumulative([1 / (n + 1) for n in range(len(words))]))
    searches = []
    for _ in range(args.searches):
        found = 0 if rng.random() < 0.1 else rng.randint(1, 500)
        searches.append(SearchEvent(query=" ".join(rng.choices(words, cum_weights=word_weights, k=rng.randint(1, 2))),
                                    result_count=found, source="page" if rng.random() < 0.8 else "api",
                                    created_at=now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400)),
                                    opened_at=now if found and rng.random() < 0.33 else None))
    bulk(SearchEvent, searches)
    started = time.perf_counter()
    index.reindex_all()
    print(f"  search index: {time.perf_counter() - started:.0f} s", flush=True)
    roll_up()
    return {"admin": admin, "brand manager": manager, "viewer": viewer}


def roll_up() -> None:
    """The daily rollups of every closed day, as the hourly job would have made them (timed), then the planner's
    statistics of every table (the rollups' included), as autovacuum would gather them."""
    started = time.perf_counter()
    rolled = rollups.catch_up()
    print(f"  rollups: {rolled['downloads']} days of downloads ({DownloadDay.objects.count()} rows), "
          f"{rolled['searches']} days of searches ({SearchDay.objects.count()} rows): "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:  # statistics for the bulk-loaded tables, as autovacuum would gather
        cursor.execute("ANALYZE")


def people_of_an_earlier_run() -> dict:
    from accounts.models import User

    return {who: User.objects.get(username=f"bench_{name}")
            for who, name in (("admin", "admin"), ("brand manager", "manager"), ("viewer", "viewer"))}


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def baseline(name: str, user, q: ReportQuery) -> int:
    """The plain COUNT(*) of the rows the panel reads, filtered as the panel filters them."""
    if name in ("downloads_by_day", "top_assets", "top_collections"):
        return in_scope(in_period(DownloadEvent.objects.order_by(), q), user, q).count()
    if name in ("top_searches", "no_result_searches", "unopened_searches"):
        return in_period(SearchEvent.objects.order_by(), q).count()
    if name == "approval_times":
        return in_scope(in_period(ReviewDecision.objects.order_by(), q), user, q, "review__version__asset").count()
    if name in ("waiting_reviews", "review_outcomes"):
        return in_scope(Review.objects.order_by(), user, q, "version__asset").count()
    if name in ("top_terms", "least_used_terms", "unused_terms"):
        return in_scope(AssetTerm.objects.order_by(), user, q).count()
    return scope_assets(user, q).count()  # never_downloaded and the library panels read the assets in scope


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    if args.reuse:
        print(f"{connection.vendor}: the data of an earlier run", flush=True)
        call_command("migrate", verbosity=0)
        people = people_of_an_earlier_run()
        roll_up()  # the days that ended since that run (all of them when the rollup tables are new)
    else:
        print(f"{connection.vendor}: generating {args.assets} assets, {args.downloads} downloads, "
              f"{args.searches} searches", flush=True)
        people = generate()
    q = ReportQuery.last(365)
    gc.collect()
    gc.freeze()
    for who in ("brand manager", "admin"):
        user = people[who]
        print(f"\nas the {who}, last 365 days: panel median ms / COUNT(*) median ms = ratio")
        for name, panel in PANELS.items():
            panel.rows(user, q)  # warm
            panel_ms = statistics.median(timed(lambda: panel.rows(user, q), args.repeat))  # noqa: B023
            count_ms = statistics.median(timed(lambda: baseline(name, user, q), args.repeat))  # noqa: B023
            print(f"  {name:22} {panel_ms:9.1f} / {count_ms:8.1f} = {panel_ms / max(count_ms, 0.1):5.1f}x", flush=True)
        whole = timed(lambda: report(user, q), args.repeat)  # noqa: B023
        print(f"  whole report p95 {p95(whole):.0f} ms (p50 {statistics.median(whole):.0f})")
    client = Client()
    client.force_login(people["viewer"])
    client.get("/assets/")
    page = timed(lambda: client.get("/assets/"), max(args.repeat, 10))
    print(f"\nasset list page (/assets/, viewer) p95 {p95(page):.0f} ms (p50 {statistics.median(page):.0f})")


main()
