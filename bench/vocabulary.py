"""Vocabulary benchmark (issue #28): a 50,000-concept thesaurus in four languages, imported and searched.

    python bench/vocabulary.py [--concepts 50000]                  # SQLite, in a fresh temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dam_bench python bench/vocabulary.py

Generates a SKOS Turtle file like a national thesaurus: preferred labels in en, de, fr and fi, a
synonym on every third concept, a hidden label on every fifth, a scope note on every tenth, related
links, exact matches into an outside scheme, one broad top concept with 10,100 narrower concepts
(100 x 100) and the rest in other branches four levels deep. Then it prints:

  parse      rdflib's plain parse of the file (Graph().parse), the baseline
  import     `import_skos`'s service on the same bytes: parse, read and validate, write (same run)
  reimport   the same file again (nothing changes: the cost of a release check)
  autocomplete  p50/p95 of the term picker's search (selectors.search, 15 results) for 300 prefixes of
             3-5 letters taken from real labels, against the plain indexed prefix query on the label
             table (the same prefixes, 15 rows) in the same run
  expansion  the search snapshot loaded cold, the broad term's narrower closure, and a search for the
             broad term's label through AssetFilter over 2,000 tagged assets (as an admin)
The PostgreSQL database named in DATABASE_URL is dropped and recreated.
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
parser.add_argument("--concepts", type=int, default=50000)
parser.add_argument("--prefixes", type=int, default=300)
parser.add_argument("--seed", type=int, default=7)
args = parser.parse_args()
args.reuse = False
database.prepare(parser, args)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

call_command("migrate", verbosity=0)

from django.http import QueryDict  # noqa: E402
from rdflib import Graph  # noqa: E402

from accounts.roles import Role  # noqa: E402
from assets.models import Asset, AssetTerm  # noqa: E402
from search import expansion  # noqa: E402
from search.filters import AssetFilter  # noqa: E402
from search.index import reindex_assets  # noqa: E402
from taxonomy import selectors, services  # noqa: E402
from taxonomy.models import Term, TermLabel  # noqa: E402
from tests.factories import library, make_user  # noqa: E402

SCHEME = "https://thesaurus.example.org/t/"
SYLLABLES = ["ka", "lo", "mi", "ne", "ra", "to", "vu", "sa", "pe", "di", "gor", "lin", "mar", "ses", "tul", "ven",
             "bra", "cho", "fre", "gli", "ost", "arn", "elk", "ium"]
rng = random.Random(args.seed)


def word(n: int) -> str:
    parts = []
    for _ in range(3):
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    return "".join(parts)


def generate(total: int) -> str:
    """The thesaurus as Turtle: concept i is c{i}; labels are made-up words, unique per language."""
    parents: dict[int, int | None] = {0: None}  # the broad term: 100 children with 100 children each
    for child in range(1, 101):
        parents[child] = 0
        for grandchild in range(100):
            parents[101 + (child - 1) * 100 + grandchild] = child
    first_other = len(parents)
    tops = list(range(first_other, first_other + 20))
    for i in tops:
        parents[i] = None
    level = list(tops)
    i = first_other + 20
    while i < total:
        next_level = []
        for parent in level:
            for _ in range(8):
                if i >= total:
                    break
                parents[i] = parent
                next_level.append(i)
                i += 1
        level = next_level or level
    out = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> .", f"@prefix t: <{SCHEME}> .", "",
           't: a skos:ConceptScheme ; skos:prefLabel "Benchmark thesaurus"@en .', ""]
    for i, parent in parents.items():
        base = word(i * 7 + 3)
        lines = [f"t:c{i} a skos:Concept", "skos:inScheme t:",
                 f'skos:prefLabel "{base} {i}"@en, "{base}e {i}"@de, "{base}ique {i}"@fr, "{base}o {i}"@fi']
        lines.append(f"skos:broader t:c{parent}" if parent is not None else "skos:topConceptOf t:")
        if i % 3 == 0:
            lines.append(f'skos:altLabel "{word(i * 13 + 1)} {i}"@en')
        if i % 5 == 0:
            lines.append(f'skos:hiddenLabel "{base}{i}"@en')
        if i % 10 == 0:
            lines.append(f'skos:scopeNote "Use for {base} of kind {i % 97}."@en')
        if i % 4 == 0 and i > 200:
            lines.append(f"skos:related t:c{rng.randrange(200, i)}")
        if i % 2 == 0:
            lines.append(f"skos:exactMatch <http://outside.example.org/id/{i}>")
        out.append(" ;\n    ".join(lines) + " .")
    return "\n".join(out) + "\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


print(f"database: {connection.vendor}; concepts: {args.concepts:,}")
started = time.perf_counter()
text = generate(args.concepts)
data = text.encode()
print(f"generated {len(data) / 1024 / 1024:.1f} MB of Turtle in {time.perf_counter() - started:.1f} s")

started = time.perf_counter()
Graph().parse(data=data, format="turtle")
parse_s = time.perf_counter() - started
started = time.perf_counter()
result = services.vocabulary_import(data=data, filename="bench.ttl", actor=None)
import_s = time.perf_counter() - started
started = time.perf_counter()
again = services.vocabulary_import(data=data, filename="bench.ttl", actor=None)
reimport_s = time.perf_counter() - started
print(f"parse      {parse_s:.1f} s (rdflib alone)")
print(f"import     {import_s:.1f} s = {import_s / parse_s:.2f} x parse; {result.created:,} terms, "
      f"{TermLabel.objects.count():,} labels")
print(f"reimport   {reimport_s:.1f} s = {reimport_s / parse_s:.2f} x parse; {len(again.changed_terms)} changed")

with connection.cursor() as cursor:  # autovacuum may be off: the planner needs statistics of the new rows
    cursor.execute("ANALYZE")
viewer = make_user("bench-viewer", Role.VIEWER)
labels = list(TermLabel.objects.values_list("normalized", flat=True)[:: max(1, TermLabel.objects.count() // 2000)])
prefixes = [label[: rng.randint(3, 5)] for label in rng.sample(labels, min(args.prefixes, len(labels)))]
selectors.search(viewer, prefixes[0], limit=15)  # warm the connection and caches
picker, plain = [], []
for prefix in prefixes:
    started = time.perf_counter()
    selectors.search(viewer, prefix, limit=15)
    picker.append(time.perf_counter() - started)
    started = time.perf_counter()
    list(selectors.labels_starting_with(TermLabel.objects.all(), prefix).values_list("term_id", "text")[:15])
    plain.append(time.perf_counter() - started)
p95, base95 = percentile(picker, 95), percentile(plain, 95)
print(f"autocomplete p50 {ms(statistics.median(picker))}, p95 {ms(p95)}; plain prefix query p50 "
      f"{ms(statistics.median(plain))}, p95 {ms(base95)}; p95 ratio {p95 / base95:.2f}")

broad = Term.objects.get(uri=SCHEME + "c0")
admin = make_user("bench-admin", Role.ADMIN)
term_ids = list(Term.objects.values_list("pk", flat=True))
assets = Asset.objects.bulk_create([Asset(title=f"Asset {n}", owner=admin, collection=library()) for n in range(2000)])
AssetTerm.objects.bulk_create([AssetTerm(asset=a, term_id=rng.choice(term_ids)) for a in assets])
reindex_assets([a.pk for a in assets])
started = time.perf_counter()
snapshot = expansion.current()
load_s = time.perf_counter() - started
started = time.perf_counter()
closure = snapshot.narrower_closure(broad.pk)
closure_s = time.perf_counter() - started
query = QueryDict(mutable=True)
query["q"] = broad.label
started = time.perf_counter()
found = AssetFilter(query, queryset=Asset.objects.all(), request=None).qs.count()
search_s = time.perf_counter() - started
print(f"expansion  snapshot load {ms(load_s)} (cold, {len(snapshot.terms):,} terms); closure of the broad term "
      f"{len(closure) - 1:,} narrower in {ms(closure_s)}; search for “{broad.label}” {ms(search_s)} "
      f"({found} of 2,000 assets)")
