"""Facet counts over the filtered, visible results of an AssetFilter: two SQL statements per page.

Each count uses the same Q as the filter it leads to (AssetFilter.*_q), over the
same permission-filtered queryset, so a count equals the results after clicking
it and no invisible asset is ever counted.

The matching set is the expensive part (full-text match, permission filter, the
active filters), so it is computed once per statement, in a `MATERIALIZED` CTE
that carries every per-asset value a facet groups by; the facets are small GROUP
BYs over it, sent as one UNION ALL. (Measured at 200,000 assets: about ten
queries each re-running the match took 1-2 s at p95.)

A broader term counts the results tagged with it or any narrower term. When the
index rows answer the search, those counts are folded into the same statement,
for every term with narrower terms (the vocabulary's (narrower, broader) pairs
travel with it); otherwise a second statement counts the terms shown, once the
top list is known.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import ExtractYear

from assets import colors
from assets.models import AssetTerm, Collection, ReviewState
from search import expansion
from search.filters import ORIENTATIONS, RIGHTS, UPLOADED, AssetFilter
from search.models import AssetColor, SearchDocument
from taxonomy.models import AssetType

TOP_TERMS = 40
TOP_VALUES = 15
# Above this many (narrower, broader) pairs, which travel with every facet statement, the broader-term
# counts are not folded into it; a second statement counts only the terms shown.
MAX_FOLDED_PAIRS = 20_000


def _value(value: Any, label: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count, **extra}


def _facet(label: str, param: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"label": label, "param": param, "values": [v for v in values if v["count"]]}


def _flag_groups(filterset: AssetFilter, on_index_row: bool = False
                 ) -> dict[str, tuple[tuple[tuple[str, str], ...], Any]]:
    """Facets whose values are conditions (the filters' own Qs), counted as flags per asset (or per
    index row: rights and upload time have the same column names there, orientation does not)."""
    orientation_q = functools.partial(filterset.orientation_q, on_index_row=on_index_row)
    return {"rights": (RIGHTS, filterset.rights_q), "orientation": (ORIENTATIONS, orientation_q),
            "uploaded": (UPLOADED, filterset.uploaded_q)}


def _matched_rows(filterset: AssetFilter, matched: QuerySet) -> tuple[str, list[Any], list[str]]:
    """SQL for one row per matching asset with every value a facet groups by, and the flag column names.

    `matched` is either the matching assets or, when they answer the search, their index
    rows (AssetFilter.matched_index_rows), which carry the same values under their own
    names: a viewer's facets then read no asset or version row.
    """
    on_rows = matched.model is SearchDocument
    flags = {f"flag_{name}_{value}": ExpressionWrapper(q(value), output_field=BooleanField())
             for name, (choices, q) in _flag_groups(filterset, on_rows).items() for value, _ in choices}
    def version(column: str) -> Any:
        return filterset.row_fact(column) if on_rows else filterset.fact(column)
    # An index row also carries the asset's term links and colour families as keys, so the term and
    # colour facets count those instead of reading every match's links and colours again.
    keys = {"f_terms": F("terms"), "f_families": F("color_families")} if on_rows else {}
    rows = matched.annotate(
        f_collection=F("collection_id"), f_type=F("asset_type"),
        # On index rows, only someone with work of their own gets the facet: others' rows show approved work.
        f_status=(filterset.row_fact("review_state", Value(ReviewState.APPROVED.value)) if filterset.own_work_of
                  else Value(None, output_field=CharField())) if on_rows else version("review_state"),
        f_year=ExtractYear(version("captured_on")),
        f_make=version("camera_make"), f_model=version("camera_model"), f_mime=version("mime_type"),
        **keys, **flags,
    ).values("pk", "f_collection", "f_type", "f_status", "f_year", "f_make", "f_model", "f_mime", *keys, *flags)
    sql, params = rows.query.sql_with_params()
    return sql, list(params), list(flags)


def _grouped(facet: str, columns: str, where: str = "", top: int | None = None) -> str:
    """One UNION ALL branch: (facet, value, value2, count) rows grouped over the matches `m`."""
    value, _, value2 = columns.partition(", ")
    value2 = value2 or "NULL"
    limit = f" ORDER BY COUNT(*) DESC, {columns} LIMIT {int(top)}" if top else ""
    return (f"SELECT * FROM (SELECT '{facet}', CAST({value} AS TEXT), CAST({value2} AS TEXT), COUNT(*) "  # noqa: S608
            f"FROM m {where} GROUP BY {columns}{limit}) AS {facet}_counts")


def _joined_branches() -> list[str]:
    """The term and colour counts of matching assets, from their term links and colours."""
    links, swatches = AssetTerm._meta.db_table, AssetColor._meta.db_table
    return [
        (f"SELECT * FROM (SELECT 'term', CAST(l.term_id AS TEXT), NULL, COUNT(*) FROM {links} l "  # noqa: S608
         f"WHERE l.asset_id IN (SELECT pk FROM m) GROUP BY l.term_id ORDER BY COUNT(*) DESC, l.term_id "
         f"LIMIT {TOP_TERMS}) AS term_counts"),
        (f"SELECT 'color', c.family, NULL, COUNT(DISTINCT c.asset_id) FROM {swatches} c "  # noqa: S608
         f"WHERE c.asset_id IN (SELECT pk FROM m) AND c.share >= {float(colors.MIN_SHARE)} GROUP BY c.family"),
    ]


def _keyed_branches() -> list[str]:
    """The same counts of matching index rows, from the keys they carry (each key once a row, so a count
    of rows is a count of assets; the families are those with share >= assets.colors.MIN_SHARE, as above).
    Measured at 1,000,000 assets for a word matching 9,470 of a viewer's assets: the links and colours
    were ~9,500 index lookups each, 118 and 109 ms of a 292 ms statement."""
    return [
        ("SELECT * FROM (SELECT 'term', k, NULL, COUNT(*) "  # noqa: S608
         "FROM m CROSS JOIN LATERAL jsonb_object_keys(m.f_terms) AS k "
         f"GROUP BY k ORDER BY COUNT(*) DESC, CAST(k AS BIGINT) LIMIT {TOP_TERMS}) AS term_counts"),
        "SELECT 'color', f, NULL, COUNT(*) FROM m CROSS JOIN LATERAL jsonb_object_keys(m.f_families) AS f GROUP BY f",
    ]


_arrays_memo: tuple[Sequence[tuple[int, int]], list[str]] | None = None


def _array_literals(pairs: Sequence[tuple[int, int]]) -> list[str]:
    """The narrower and the broader ids as two PostgreSQL array literals, kept for the last pairs seen (the
    vocabulary snapshot's, the same object until it changes): psycopg dumping 4,000 ints as a list took
    ~5 ms a page in Python, a string costs nothing."""
    global _arrays_memo
    memo = _arrays_memo
    if memo is None or memo[0] is not pairs:
        memo = (pairs, ["{" + ",".join(str(int(pair[i])) for pair in pairs) + "}" for i in (0, 1)])
        _arrays_memo = memo
    return memo[1]


def _pairs_cte(pairs: Sequence[tuple[int, int]]) -> tuple[str, list[Any]]:
    """The CTE `p` of (narrower, broader) pairs, and its parameters: on PostgreSQL two arrays (planning
    a VALUES list of the bench vocabulary's 4,000 pairs cost ~5 ms a statement), on SQLite, which has no
    arrays, an inline VALUES list."""
    if connection.vendor == "postgresql":
        return ("p AS MATERIALIZED (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS v(narrower, broader))",
                _array_literals(pairs))
    values = ", ".join(f"({int(narrower)}, {int(broader)})" for narrower, broader in pairs)
    return f"p AS MATERIALIZED (SELECT column1 AS narrower, column2 AS broader FROM (VALUES {values}) AS v)", []  # noqa: S608


def _keyed_rollup(keys: str) -> str:
    """Distinct index rows in `m` whose term keys (column `keys`) are in each broader term's closure `p`."""
    return (f"SELECT p.broader, COUNT(DISTINCT m.pk) FROM m "  # noqa: S608
            f"CROSS JOIN LATERAL jsonb_object_keys(m.{keys}) AS k "
            "JOIN p ON p.narrower = CAST(k AS BIGINT) GROUP BY p.broader")


def _count_all(filterset: AssetFilter, matched: QuerySet, folded_pairs: Sequence[tuple[int, int]] = ()
               ) -> dict[str, list[tuple[str | None, str | None, int]]]:
    """Every facet in one statement over one materialised match set; the broader-term counts too
    ("rollup") when `folded_pairs` are given (index rows only)."""
    out: dict[str, list[tuple[str | None, str | None, int]]] = defaultdict(list)
    try:
        rows_sql, params, flags = _matched_rows(filterset, matched)
    except EmptyResultSet:  # a filter that can match nothing (say, an unreadable colour): every count is 0
        return out
    # Constant text only: table and column names of our own, and int/float constants.
    branches = [
        "SELECT 'total', NULL, NULL, COUNT(*) FROM m",
        _grouped("collection", "f_collection"), _grouped("type", "f_type"), _grouped("status", "f_status"),
        _grouped("year", "f_year", "WHERE f_year IS NOT NULL"),
        _grouped("camera", "f_make, f_model", "WHERE f_make <> ''", TOP_VALUES),
        _grouped("mime", "f_mime", "WHERE f_mime IS NOT NULL", TOP_VALUES),
        *(f"SELECT '{flag}', NULL, NULL, COUNT(*) FROM m WHERE {flag}" for flag in flags),  # noqa: S608
        *(_keyed_branches() if matched.model is SearchDocument else _joined_branches()),
    ]
    ctes = [f"m AS MATERIALIZED ({rows_sql})"]
    if folded_pairs:
        pairs_cte, pairs_params = _pairs_cte(folded_pairs)
        ctes.append(pairs_cte)
        params += pairs_params
        branches.append(f"SELECT 'rollup', CAST(broader AS TEXT), NULL, count FROM ({_keyed_rollup('f_terms')}) "  # noqa: S608
                        "AS rollup_counts")
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, value2, count in cursor.fetchall():
            out[facet].append((value, value2, int(count)))
    return out


def compute(filterset: AssetFilter, visible_collections: QuerySet[Collection]) -> dict[str, Any]:
    """All facets for the current results, keyed by name.

    Also sets `filterset.matched_count`, the number of results, counted by the same
    statement, so that a paginator need not run the search once more to count it.
    """
    if filterset.matched is None:
        return {}
    index_rows = filterset.matched_index_rows()
    matched: QuerySet = filterset.matched.order_by() if index_rows is None else index_rows
    # Index rows carry their term keys, so the broader-term counts can come with the rest (see the module).
    pairs = expansion.current().rollup_pairs() if index_rows is not None else ()
    folded = index_rows is not None and len(pairs) <= MAX_FOLDED_PAIRS
    counted = _count_all(filterset, matched, pairs if folded else ())
    filterset.matched_count = sum(n for _, _, n in counted["total"])
    single = {facet: {value: n for value, _, n in counted[facet]}
              for facet in ("collection", "type", "status", "color")}
    facets: dict[str, Any] = {}

    facets["collection"] = _facet("Collection", "collection",
                                  _collections(single["collection"], visible_collections))
    facets["term"] = {"label": "Terms", "param": "term", "vocabularies": _terms(
        matched, {int(t): n for t, _, n in counted["term"] if t is not None},
        {int(t): n for t, _, n in counted["rollup"] if t is not None} if folded else None)}
    facets["type"] = _facet("Type", "type", [_value(v, label, single["type"].get(v, 0))
                                             for v, label in AssetType.choices])
    # Those who see drafts (anyone's, or only their own) get the facet; viewers see approved work only.
    if filterset.shows_review_states:
        facets["status"] = _facet("Review state", "status", [_value(v, label, single["status"].get(v, 0))
                                                             for v, label in ReviewState.choices])
    titles = {"rights": "Rights", "orientation": "Orientation", "uploaded": "Uploaded"}
    for name, (choices, _) in _flag_groups(filterset).items():
        facets[name] = _facet(titles[name], name, [
            _value(v, label, sum(n for _, _, n in counted[f"flag_{name}_{v}"])) for v, label in choices])

    by_year = {year: n for year, _, n in counted["year"] if year and year.isdigit()}
    facets["captured"] = _facet("Captured", "captured", [
        _value(year, year, n, params={"captured_after": f"{year}-01-01", "captured_before": f"{year}-12-31"})
        for year, n in sorted(by_year.items(), reverse=True)][:TOP_VALUES])

    cameras = sorted(counted["camera"], key=lambda row: (-row[2], row[0] or "", row[1] or ""))
    facets["camera"] = _facet("Camera", "camera", [
        _value(f"{make}|{model or ''}", f"{make} {model or ''}".strip(), n,
               params={"make": make, **({"camera_model": model} if model else {})})
        for make, model, n in cameras])

    files = sorted(counted["mime"], key=lambda row: (-row[2], row[0] or ""))
    facets["file_type"] = _facet("File type", "file_type", [_value(m, m, n) for m, _, n in files if m])

    facets["color_family"] = _facet("Colour", "color_family", [
        _value(f, f.capitalize(), single["color"].get(f, 0), swatch=colors.FAMILY_SWATCH[f])
        for f in colors.FAMILIES])
    return facets


def _collections(direct: dict[str | None, int], visible_collections: QuerySet[Collection]) -> list[dict[str, Any]]:
    """Counts per folder, rolled up the tree (the collection filter includes sub-folders).

    `direct` counts by folder id. Their paths are read in one query, from every folder
    (an asset granted on its own may sit in a folder the user cannot list); only the
    visible ones among their ancestors are offered.
    """
    ids = [int(pk) for pk in direct if pk]
    if not ids:
        return []
    paths: dict[str, int] = defaultdict(int)
    for pk, path in Collection.objects.filter(pk__in=ids).values_list("pk", "path"):
        paths[path] += direct[str(pk)]
    ancestor_ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    rows = []
    for folder in visible_collections.filter(pk__in=ancestor_ids).order_by("path"):
        count = sum(n for path, n in paths.items() if path.startswith(folder.path))
        rows.append(_value(folder.pk, folder.name, count, depth=folder.depth))
    return rows


def _rollup_counts(matched: QuerySet, closures: dict[int, frozenset[int]]) -> dict[int, int]:
    """Distinct results tagged with each term or its narrower terms, in one GROUP BY.

    The statement starts from the matches (materialised once), reads only their term
    links (or, on index rows, their term keys), and maps each to the broader terms it
    counts for through the (narrower, broader) pairs (`_pairs_cte`).
    """
    pairs_cte, pairs_params = _pairs_cte([(d, t) for t, closure in closures.items() for d in sorted(closure)])
    if matched.model is SearchDocument:  # index rows carry their term links as keys (see _keyed_branches)
        inner, params = matched.values("pk", "terms").query.sql_with_params()
        sql = f"WITH m AS MATERIALIZED ({inner}), {pairs_cte} {_keyed_rollup('terms')}"
    else:
        inner, params = matched.values("pk").query.sql_with_params()
        # SQLite has no hash join: CROSS JOIN fixes its loop order (matches, then their links by asset, then
        # the pairs), and the materialised, named pairs get an automatic index, which the unary + on term_id
        # leaves as the only way in (measured at 200,000 assets: 32 ms against 3.3 s for the order it picks
        # itself). PostgreSQL accepts no ON after CROSS JOIN and plans the joins well on its own.
        join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
        sql = (f"WITH m AS MATERIALIZED ({inner}), {pairs_cte} "  # noqa: S608
               f"SELECT p.broader, COUNT(DISTINCT l.asset_id) FROM m "
               f"{join} {AssetTerm._meta.db_table} l ON l.asset_id = m.pk {join} p ON p.narrower = +l.term_id "
               f"GROUP BY p.broader")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pairs_params])
        return {int(term_id): n for term_id, n in cursor.fetchall()}


def _terms(matched: QuerySet, direct: dict[int, int], rolled: dict[int, int] | None = None
           ) -> list[dict[str, Any]]:
    """The most used terms in the results, grouped by vocabulary, nested under their broader terms.

    A term's count includes assets tagged with its narrower terms, as the term
    filter does: `direct` (from the facet statement) counts the top terms' own
    links, and the terms with narrower ones (and the broader terms shown for
    context) are counted again, rolled up: `rolled` when the facet statement
    counted every such term, else by `_rollup_counts`.
    """
    vocabulary = expansion.current()
    shown = {t for t in direct if t in vocabulary.terms}
    for term_id in list(shown):
        shown |= vocabulary.ancestors(term_id)
    counts = {t: direct.get(t, 0) for t in shown}
    rollup = [t for t in shown if len(vocabulary.narrower_closure(t)) > 1]
    if rolled is not None:
        counts.update({t: rolled[t] for t in rollup if t in rolled})
    elif rollup:
        counts.update(_rollup_counts(matched, {t: vocabulary.narrower_closure(t) for t in rollup}))
    by_vocabulary: dict[int, list[int]] = defaultdict(list)
    for t in shown:
        by_vocabulary[vocabulary.terms[t].vocabulary_id].append(t)
    out = []
    for vocabulary_id, term_ids in sorted(by_vocabulary.items(),
                                          key=lambda kv: vocabulary.vocabularies.get(kv[0], "")):
        members = set(term_ids)
        rows: list[dict[str, Any]] = []

        def walk(term_id: int, depth: int, trail: frozenset[int], members: set[int] = members,
                 rows: list[dict[str, Any]] = rows) -> None:
            if counts.get(term_id):
                rows.append(_value(term_id, vocabulary.terms[term_id].label, counts[term_id], depth=depth))
            children = sorted((c for c in vocabulary.children.get(term_id, ()) if c in members and c not in trail),
                              key=lambda c: vocabulary.terms[c].label)
            for child in children:
                walk(child, depth + 1, trail | {child})

        roots = sorted((t for t in term_ids if not (set(vocabulary.terms[t].broader) & members)),
                       key=lambda t: vocabulary.terms[t].label)
        for root in roots:
            walk(root, 0, frozenset({root}))
        if rows:
            out.append({"vocabulary": vocabulary.vocabularies.get(vocabulary_id, ""), "values": rows})
    return out
