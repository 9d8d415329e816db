"""Search benchmark: p50/p95 of the ranked, permission-filtered query, facet counts and list page 1.

    python bench/search.py --assets 50000                       # SQLite, in a fresh temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench python bench/search.py --assets 50000

Generates N assets with Zipf-distributed words (titles, descriptions, embedded
keywords), 3-12 terms each (Zipf) from a three-level vocabulary of ~2,000 terms
with synonyms and German labels, dominant colours, EXIF make/model, and 5% drafts,
2% archived, 2% embargoed, 2% expired. Assets sit in 20 top-level collections; a
restricted viewer (Viewer role) is granted 6 of them. Data is bulk-inserted and
then indexed with search.index.reindex_assets (timed too).

Then, for a fixed (seeded) set of queries, each "keyword + 2 facets":
  ranked   as the restricted viewer, through AssetFilter: permission filter, vocabulary expansion,
           full-text match, ranked, first 50 rows, read as a page reads them (the ids in order from
           AssetFilter.result_ids, then those rows through the permission-filtered live queryset
           the search started from);
           before timing, every search's result is checked to equal the queryset's own first 50;
           "of which the SQL of its ids" is the time in the database of the first step alone
  floor    the same match and facets without ranking and without the permission filter, ordered by
           id, first 50 rows: the viewer's conditions on the index rows where those answer the
           search (all of these searches), else the same search as an admin
  facets   every facet count for the same search, as the restricted viewer
  page     GET /assets/?q=...&<facets> as the viewer through the Django test client: server time, SQL queries
Prints p50/p95 (ms) for each. The PostgreSQL database named in DATABASE_URL is dropped and recreated.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--assets", type=int, default=20000)
parser.add_argument("--queries", type=int, default=120)
parser.add_argument("--seed", type=int, default=7)
database.add_reuse_option(parser)
parser.add_argument("--generate-only", action="store_true",
                    help="generate and index the data, then stop (time the searches later with --reuse)")
parser.add_argument("--explain", type=int, default=0, metavar="K",
                    help="after timing, print the query plan (EXPLAIN ANALYZE, BUFFERS on PostgreSQL) of the "
                         "K slowest ranked searches")
parser.add_argument("--per-query", metavar="FILE",
                    help="also write each search's parameters and its ranked, floor and facet times (ms) to FILE, "
                         "one JSON object a line, to compare two runs search by search")
args = parser.parse_args()

database.prepare(parser, args)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

rng = random.Random(args.seed)
query_rng = random.Random(args.seed + 1)  # its own stream, so a reused database gets the same searches
call_command("migrate", verbosity=0)
if not settings.DEBUG:
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest that DEBUG-off pages link to

from accounts.roles import Role  # noqa: E402
from assets import colors, selectors  # noqa: E402
from assets.models import Asset, AssetTerm, AssetVersion, Collection, ReviewState  # noqa: E402
from assets.services import collection_create, collection_grant  # noqa: E402
from dam import request_memo  # noqa: E402
from ingest.metadata import capture_facts  # noqa: E402
from search import expansion, facets, index  # noqa: E402
from search.filters import AssetFilter  # noqa: E402
from search.models import SearchDocument  # noqa: E402
from taxonomy.models import (  # noqa: E402
    AssetType,
    Term,
    TermLabel,
    Vocabulary,
    normalize_label,
)
from tests.factories import make_user  # noqa: E402

SYLLABLES = ["ka", "lo", "ri", "mun", "te", "sa", "vo", "ne", "pi", "dra", "el", "ost", "ur", "bel", "qui", "an",
             "mar", "tis", "go", "fen", "ly", "sto", "ha", "rin"]


def make_words(n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)  # sorted first: set order follows PYTHONHASHSEED, and every run must get the same data
    rng.shuffle(ordered)
    return ordered


WORDS = make_words(20000)
WORD_WEIGHTS = [1 / (k + 1) ** 1.07 for k in range(len(WORDS))]
WORD_CUM = list(__import__("itertools").accumulate(WORD_WEIGHTS))


def zipf_words(k: int) -> list[str]:
    return rng.choices(WORDS, cum_weights=WORD_CUM, k=k)


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    took = time.perf_counter() - start
    print(f"  {label}: {took:.1f} s", flush=True)
    return took


def settle() -> None:
    """Statistics and, on PostgreSQL, the visibility map, as autovacuum would leave them after a bulk load
    (without it no index-only scan is possible, and a live database has had autovacuum run)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def build() -> dict:
    print(f"Generating {args.assets} assets on {connection.vendor}", flush=True)
    now = timezone.now()
    viewer = make_user("bench_viewer", Role.VIEWER)
    admin = make_user("bench_admin", Role.ADMIN)
    folders = [collection_create(name=f"Folder {i}", actor=None) for i in range(20)]
    for folder in folders[:6]:
        collection_grant(collection=folder, level="view", actor=None, user=viewer)

    vocabulary = Vocabulary.objects.create(uri="https://bench.test/", title="Bench subjects")
    terms = []
    term_words = make_words(2100)
    for i in range(2000):
        terms.append(Term(vocabulary=vocabulary, uri=f"https://bench.test/t{i}", label=term_words[i].capitalize()))
    Term.objects.bulk_create(terms, batch_size=1000)
    terms = list(Term.objects.filter(vocabulary=vocabulary).order_by("pk"))
    # 20 top terms, 200 second level, the rest third level.
    through = Term.broader.through
    links = [through(from_term_id=t.pk, to_term_id=terms[(i - 20) // 10].pk) for i, t in enumerate(terms[20:220], 20)]
    links += [through(from_term_id=t.pk, to_term_id=terms[20 + (i - 220) % 200].pk)
              for i, t in enumerate(terms[220:], 220)]
    through.objects.bulk_create(links, batch_size=2000)
    labels = []
    for i, t in enumerate(terms):
        labels.append(TermLabel(term=t, kind="pref", language="en", text=t.label, normalized=normalize_label(t.label)))
        labels.append(TermLabel(term=t, kind="pref", language="de", text=f"{t.label}en",
                                normalized=normalize_label(f"{t.label}en")))
        if i % 3 == 0:
            alt = term_words[(i * 7) % 2100] + "x"
            labels.append(TermLabel(term=t, kind="alt", language="en", text=alt, normalized=normalize_label(alt)))
    TermLabel.objects.bulk_create(labels, batch_size=2000)
    term_weights = [1 / (k + 1) ** 0.9 for k in range(len(terms))]
    order = list(range(len(terms)))
    rng.shuffle(order)
    term_cum = list(__import__("itertools").accumulate(term_weights[order.index(k)] for k in range(len(terms))))

    cameras = [("Canon", "EOS R5"), ("Canon", "EOS 5D Mark IV"), ("Nikon", "Z 7II"), ("Sony", "ILCE-7RM4"),
               ("FUJIFILM", "X-T4"), ("Apple", "iPhone 14 Pro")]
    types = [AssetType.IMAGE] * 8 + [AssetType.VIDEO, AssetType.DOCUMENT]
    batch = 5000
    for start in range(0, args.assets, batch):
        with transaction.atomic():
            assets = []
            for _ in range(start, min(start + batch, args.assets)):
                roll = rng.random()
                created = now - timezone.timedelta(days=rng.expovariate(1 / 400))
                assets.append(Asset(
                    title=" ".join(zipf_words(rng.randint(3, 8))).capitalize(),
                    description=" ".join(zipf_words(rng.randint(10, 40))),
                    collection=folders[rng.randrange(20)], asset_type=rng.choice(types), owner=admin,
                    archived_at=now if 0.05 <= roll < 0.07 else None,
                    embargo_until=now + timezone.timedelta(days=10) if 0.07 <= roll < 0.09 else None,
                    rights_expire_at=(now - timezone.timedelta(days=3) if 0.09 <= roll < 0.11
                                      else now + timezone.timedelta(days=rng.randint(1, 900)) if roll > 0.8 else None),
                    metadata={"draft": roll < 0.05}, created_at=created))
            uploaded = [a.created_at for a in assets]
            Asset.objects.bulk_create(assets)  # sets created_at to now (auto_now_add); restored below
            versions = []
            for asset, created in zip(assets, uploaded, strict=True):
                landscape = rng.random() < 0.6
                w, h = (6000, 4000) if landscape else (4000, 6000)
                make, model = rng.choice(cameras)
                taken = created.strftime("%Y:%m:%d %H:%M:%S")
                exif = {"Make": make, "Model": model, "DateTimeOriginal": taken} if rng.random() < 0.6 else {}
                rgbs = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(3)]
                versions.append(AssetVersion(
                    asset=asset, number=1, file=f"originals/bench/{asset.pk}", original_filename=f"IMG_{asset.pk}.jpg",
                    sha256=f"{asset.pk:064x}", size=rng.randint(50_000, 40_000_000),
                    mime_type="image/jpeg" if asset.asset_type == AssetType.IMAGE else "application/pdf",
                    width=w, height=h,
                    embedded_metadata={"keywords": zipf_words(rng.randint(0, 5)), "exif": exif},
                    **capture_facts({"exif": exif}),
                    dominant_colors=[{"hex": "#{:02x}{:02x}{:02x}".format(*c), "share": s,
                                      "lab": list(colors.rgb_to_lab(c)), "family": colors.family_of(c)}
                                     for c, s in zip(rgbs, (0.5, 0.3, 0.2), strict=True)],
                    review_state=ReviewState.DRAFT if asset.metadata["draft"] else ReviewState.APPROVED))
            AssetVersion.objects.bulk_create(versions)
            for asset, version, created in zip(assets, versions, uploaded, strict=True):
                asset.current_version_id = version.pk
                asset.approved_version_id = None if asset.metadata["draft"] else version.pk
                asset.created_at = created
            Asset.objects.bulk_update(assets, ["current_version", "approved_version", "created_at"], batch_size=1000)
            links_ = []
            for asset in assets:
                chosen = set(rng.choices(range(len(terms)), cum_weights=term_cum, k=rng.randint(3, 12)))
                links_.extend(AssetTerm(asset_id=asset.pk, term_id=terms[k].pk) for k in chosen)
            AssetTerm.objects.bulk_create(links_, batch_size=5000)
        print(f"  {start + len(assets)} assets", flush=True)
    settle()  # statistics for the bulk-loaded tables before indexing reads them (autovacuum may be off)
    indexing = timed("indexing (reindex_assets over all assets)", index.reindex_all)
    settle()
    expansion.invalidate()
    return {"viewer": viewer, "admin": admin, "folders": folders, "terms": terms, "indexing": indexing}


def make_queries(data: dict) -> list[dict[str, str]]:
    """Keyword (a mid-frequency word, or a term label or synonym) plus two facets."""
    facet_pairs = [
        lambda: {"type": "image", "orientation": "landscape"},
        lambda: {"rights": "valid", "uploaded": "365d"},
        lambda: {"collection": str(query_rng.choice(data["folders"][:6]).pk), "type": "image"},
        lambda: {"term": str(query_rng.choice(data["terms"][:220]).pk), "orientation": "portrait"},
        lambda: {"make": "Canon", "uploaded": "30d"},
        lambda: {"color_family": query_rng.choice(["red", "blue", "green"]), "type": "image"},
    ]
    queries = []
    for i in range(args.queries):
        # Every third keyword is the label of a broader term (top or second level: it expands to its 10-100
        # narrower terms, the hardest case); the others are words neither stop-word common nor unique.
        keyword = query_rng.choice(data["terms"][:220]).label if i % 3 == 0 else WORDS[query_rng.randint(20, 2000)]
        queries.append({"q": keyword, **facet_pairs[i % len(facet_pairs)]()})
    return queries


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def run(data: dict) -> None:
    queries = make_queries(data)
    viewer, admin = data["viewer"], data["admin"]

    class Req:
        def __init__(self, user):
            self.user = user

    def qd(params):
        out = QueryDict(mutable=True)
        for key, value in params.items():
            out.setlist(key, [value])
        return out

    def filterset(user, params):
        return AssetFilter(qd(params), queryset=selectors.live_assets_visible_to(user),
                           collections=selectors.collections_visible_to(user), request=Req(user),
                           index_scope=selectors.LIVE)

    id_statement: list[float] = []

    def timed_sql(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            id_statement.append(time.perf_counter() - start)

    def ranked(params):
        # As a page reads its rows: the ids of the first 50 results in order, then those rows through the
        # permission-filtered queryset (here only their ids: the page's joins are not the search's cost).
        # The SQL time of the first step is also kept on its own ("id query"): the rest of the measure is
        # the FilterSet, the grant lookups, building the querysets and the page's rows, so a change to the
        # indexes can be told from a change to the code around them.
        fs = filterset(viewer, params)
        assert fs.is_valid(), fs.errors
        id_statement.clear()
        with connection.execute_wrapper(timed_sql):
            ids = list(fs.result_ids()[:50])
        found = set(fs.queryset.filter(pk__in=ids).order_by().values_list("pk", flat=True))
        return [pk for pk in ids if pk in found]

    def floor(params):
        # The viewer's search without its rank and its permission filter: where the index rows answer it
        # (every search here), the same conditions on them, ordered by id; otherwise the same search as an
        # admin over every asset, ordered by id.
        if connection.vendor == "postgresql":  # SQLite searches no index rows
            fs = filterset(viewer, params)
            assert fs.is_valid(), fs.errors
            if fs.matched_index_rows() is not None:
                return list(SearchDocument.objects.filter(*fs.index_conditions).order_by("pk")
                            .values_list("pk", flat=True)[:50])
        fs = AssetFilter(qd(params), queryset=Asset.objects.all(),
                         collections=Collection.objects.all(), request=Req(admin))
        assert fs.is_valid(), fs.errors
        fs.qs  # noqa: B018
        return list(fs.matched.order_by("pk").values_list("pk", flat=True)[:50])

    def facet_counts(params):
        fs = filterset(viewer, params)
        assert fs.is_valid()
        fs.qs  # noqa: B018
        return facets.compute(fs, selectors.collections_visible_to(viewer))

    client = Client()
    client.force_login(viewer)
    client.get("/assets/")
    expansion.current()
    results = {"ranked": [], "id query": [], "floor": [], "facets": [], "page": []}
    page_queries = []
    hits = []
    # The bench process holds its own data (the generated rows' lists, the terms, the queries); without
    # this, the collector's full passes over it land on whichever measure runs at that moment (seen: one
    # search 17 ms in one run and 160 ms in the next, at the same place in the sequence). A server process
    # holds none of it, so it is frozen out of collection, as preforking servers do with what they load.
    gc.collect()
    gc.freeze()
    for params in queries:  # warm caches once, as a running server would be
        fs = filterset(viewer, params)
        assert fs.is_valid()
        with request_memo.scope():
            # The page's way to its ids must give the very rows, in the very order, of the search itself.
            assert ranked(params) == list(fs.qs.values_list("pk", flat=True)[:50]), params
    for params in queries:
        for name, fn in (("ranked", ranked), ("floor", floor), ("facets", facet_counts)):
            start = time.perf_counter()
            with request_memo.scope():  # what one request remembers (grants, vocabulary generation), as a page would
                out = fn(params)
            results[name].append(time.perf_counter() - start)
            if name == "ranked":
                hits.append(len(out))
                results["id query"].append(sum(id_statement))
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get("/assets/", params)
            results["page"].append(time.perf_counter() - start)
        assert response.status_code == 200
        page_queries.append(len(ctx))
    visible = selectors.assets_visible_to(viewer).count()
    print(f"\n{connection.vendor}: {args.assets} assets, {visible} visible to the restricted viewer, "
          f"{AssetTerm.objects.count()} term links, {len(queries)} queries "
          f"(median {statistics.median(hits):.0f} of max 50 rows returned, {sum(1 for h in hits if h == 0)} empty)")
    print(f"  indexing all assets       {data['indexing']:.1f} s")
    for name, label in (("ranked", "keyword+2 facets, ranked, LIMIT 50, viewer"),
                        ("id query", "  of which the SQL of its ids"),
                        ("floor", "same, no rank, no permission filter (floor)"),
                        ("facets", "facet counts, viewer"),
                        ("page", "list page 1 (/assets/), viewer")):
        print(f"  {label:45s} {percentiles(results[name])}")
    print(f"  SQL queries per list page: min {min(page_queries)}, max {max(page_queries)}")
    if args.per_query:
        with open(args.per_query, "w") as out:
            for i, params in enumerate(queries):
                times = {name: round(results[name][i] * 1000, 1) for name in ("ranked", "id query", "floor", "facets")}
                out.write(json.dumps({"params": params, **times}) + "\n")
    slowest = sorted(range(len(queries)), key=lambda i: results["ranked"][i], reverse=True)[:args.explain]
    for i in slowest:
        fs = filterset(viewer, queries[i])
        assert fs.is_valid()
        with request_memo.scope():
            options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
            plan = fs.result_ids()[:50].explain(**options)
        print(f"\n-- ranked {results['ranked'][i] * 1000:.1f} ms: {queries[i]}\n{plan}")


def reuse() -> dict:
    viewer = get_user_model().objects.get(username="bench_viewer")
    admin = get_user_model().objects.get(username="bench_admin")
    if Asset.objects.count() != args.assets:
        sys.exit(f"--reuse: the database holds {Asset.objects.count()} assets, not {args.assets}")
    folders = list(Collection.objects.filter(name__startswith="Folder ").order_by("pk"))
    terms = list(Term.objects.filter(vocabulary__uri="https://bench.test/").order_by("pk"))
    print(f"Reusing {args.assets} assets on {connection.vendor}", flush=True)
    settle()
    return {"viewer": viewer, "admin": admin, "folders": folders, "terms": terms, "indexing": float("nan")}


data = reuse() if args.reuse else build()
if args.generate_only:
    print(f"Generated; indexing took {data['indexing']:.1f} s. Time the searches with --reuse.")
else:
    run(data)
