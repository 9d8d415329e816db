"""Facet counts over the filtered, visible results of an AssetFilter: a bounded number of queries per page.

Each count uses the same Q as the filter it leads to (AssetFilter.*_q), over the
same permission-filtered queryset, so a count equals the results after clicking
it and no invisible asset is ever counted.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from assets import colors
from assets.models import AssetColor, AssetTerm, AssetType, Collection, ReviewState
from assets.search import expansion

if TYPE_CHECKING:
    from assets.filters import AssetFilter

TOP_TERMS = 40
TOP_VALUES = 15


def _value(value: Any, label: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count, **extra}


def _facet(label: str, param: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"label": label, "param": param, "values": [v for v in values if v["count"]]}


def compute(filterset: AssetFilter, visible_collections: QuerySet[Collection]) -> dict[str, Any]:
    """All facets for the current results, keyed by name."""
    matched = filterset.matched
    if matched is None:
        return {}
    matched = matched.order_by()
    facets: dict[str, Any] = {}
    ids = matched.values("pk")


    facets["collection"] = _facet("Collection", "collection", _collections(matched, visible_collections))
    facets["term"] = {"label": "Terms", "param": "term", "vocabularies": _terms(filterset, matched)}

    # Rights, orientation and upload date in one pass: conditional counts with the filters' own Qs.
    from assets.filters import ORIENTATIONS, RIGHTS, UPLOADED

    groups: dict[str, tuple[Any, Any]] = {
        "type": (AssetType.choices, lambda v: Q(asset_type=v)),
        "status": (ReviewState.choices, lambda v: Q(current_version__review_state=v)),
        "rights": (RIGHTS, filterset.rights_q),
        "orientation": (ORIENTATIONS, filterset.orientation_q),
        "uploaded": (UPLOADED, filterset.uploaded_q),
    }
    if not filterset.may_see_unapproved:
        del groups["status"]  # viewers see approved work only; the facet would tell them nothing
    counts = matched.aggregate(**{f"{name}__{value}": Count("pk", filter=q(value))
                                  for name, (choices, q) in groups.items() for value, _ in choices})
    titles = {"type": "Type", "status": "Review state", "rights": "Rights", "orientation": "Orientation",
              "uploaded": "Uploaded"}
    for name, (choices, _) in groups.items():
        facets[name] = _facet(titles[name], name, [_value(v, label, counts[f"{name}__{v}"]) for v, label in choices])

    years = (matched.annotate(captured_year=Substr(filterset.captured_day(), 1, 4))
             .exclude(captured_year__isnull=True).values_list("captured_year").annotate(n=Count("pk"))
             .values_list("captured_year", "n"))
    by_year = {year: n for year, n in years if year and year.isdigit()}
    facets["captured"] = _facet("Captured", "captured", [
        _value(year, year, n, params={"captured_after": f"{year}-01-01", "captured_before": f"{year}-12-31"})
        for year, n in sorted(by_year.items(), reverse=True)][:TOP_VALUES])

    cameras = (matched.annotate(exif_make=filterset.exif("Make"), exif_model=filterset.exif("Model"))
               .exclude(exif_make__isnull=True).values_list("exif_make", "exif_model").annotate(n=Count("pk"))
               .order_by("-n")[:TOP_VALUES])
    facets["camera"] = _facet("Camera", "camera", [
        _value(f"{make}|{model or ''}", f"{make} {model or ''}".strip(), n,
               params={"make": make, **({"camera_model": model} if model else {})})
        for make, model, n in cameras])

    mime = f"{filterset.version}__mime_type"
    files = (matched.exclude(**{f"{mime}__isnull": True}).values_list(mime).annotate(n=Count("pk"))
             .order_by("-n")[:TOP_VALUES])
    facets["file_type"] = _facet("File type", "file_type", [_value(m, m, n) for m, n in files])

    families = dict(AssetColor.objects.filter(asset__in=ids, share__gte=colors.MIN_SHARE).values_list("family")
                    .annotate(n=Count("asset", distinct=True)))
    facets["color_family"] = _facet("Colour", "color_family", [
        _value(f, f.capitalize(), families.get(f, 0), swatch=colors.FAMILY_SWATCH[f]) for f in colors.FAMILIES])
    return facets


def _collections(matched: QuerySet, visible_collections: QuerySet[Collection]) -> list[dict[str, Any]]:
    """Counts per folder, rolled up the tree (the collection filter includes sub-folders)."""
    direct = dict(matched.values_list("collection__path").annotate(n=Count("pk"))
                  .values_list("collection__path", "n"))
    if not direct:
        return []
    ancestor_ids = {int(p) for path in direct for p in path.strip("/").split("/") if p}
    rows = []
    for folder in visible_collections.filter(pk__in=ancestor_ids).order_by("path"):
        count = sum(n for path, n in direct.items() if path.startswith(folder.path))
        rows.append(_value(folder.pk, folder.name, count, depth=folder.depth))
    return rows


def _rollup_counts(matched: QuerySet, closures: dict[int, frozenset[int]]) -> dict[int, int]:
    """Distinct results tagged with each term or its narrower terms, in one GROUP BY.

    The (narrower, broader) pairs travel as an inline VALUES table joined to the
    asset-term links, so each link row is read once instead of one EXISTS per
    term per result row. Both databases name VALUES columns column1, column2.
    """
    pairs = ", ".join(f"({int(d)}, {int(t)})" for t, closure in closures.items() for d in sorted(closure))
    inner, params = matched.values("pk").query.sql_with_params()
    # CROSS JOIN makes SQLite walk the pairs and range-scan the (term, asset) index for each, and the
    # unary + keeps it from seeking that index once per result id instead; PostgreSQL plans as it likes.
    sql = (f"SELECT m.column2, COUNT(DISTINCT l.asset_id) FROM (SELECT * FROM (VALUES {pairs}) AS v) m "  # noqa: S608
           f"CROSS JOIN {AssetTerm._meta.db_table} l "
           f"WHERE l.term_id = m.column1 AND +l.asset_id IN ({inner}) GROUP BY m.column2")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(term_id): n for term_id, n in cursor.fetchall()}


def _terms(filterset: AssetFilter, matched: QuerySet) -> list[dict[str, Any]]:
    """The most used terms in the results, grouped by vocabulary, nested under their broader terms.

    A term's count includes assets tagged with its narrower terms, as the term
    filter does; terms with no narrower terms are counted by one GROUP BY, the
    others (and the broader terms shown for context) by one conditional aggregate.
    """
    vocabulary = expansion.current()
    direct = dict(AssetTerm.objects.filter(asset__in=matched.values("pk")).values_list("term")
                  .annotate(n=Count("asset")).order_by("-n", "term")[:TOP_TERMS])
    shown = {t for t in direct if t in vocabulary.terms}
    for term_id in list(shown):
        shown |= vocabulary.ancestors(term_id)
    counts = {t: direct.get(t, 0) for t in shown}
    rollup = [t for t in shown if len(vocabulary.narrower_closure(t)) > 1]
    if rollup:
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
