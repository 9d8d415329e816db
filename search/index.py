"""Keeps the search index (SearchDocument, AssetColor) current, inside the writer's transaction.

Called from the signal receivers in search.signals, so every write path
(services in this app and in the apps built beside it) stays covered without
each of them remembering to call it; bulk loads call `reindex_assets` directly.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from assets import colors as asset_colors
from assets.models import Asset, AssetTerm, AssetVersion
from search.models import AssetColor, SearchDocument, SearchText
from search.text import index_text
from taxonomy.models import TermLabel

BATCH = 500
# Asset columns copied onto SearchDocument under the same names (see its docstring).
ACCESS_FACTS = ("collection_id", "owner_id", "approved_version_id", "archived_at", "rights_expire_at", "embargo_until",
                "rights_start")
# Asset columns a viewer's filters test, copied under the same names; and the approved version's
# columns they test, copied as approved_<name> (null while nothing is approved).
FILTERED_FACTS = ("asset_type", "created_at")
APPROVED_FACTS = ("width", "height", "mime_type", "camera_make", "camera_model", "captured_on")


def _metadata_values(value: Any) -> list[str]:
    """Every string and number inside a metadata value, however nested."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _metadata_values(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _metadata_values(v)]
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)]


def _embedded_keywords(version: AssetVersion | None) -> list[str]:
    # The ingest step stores a reconciled list of strings; anything else is ignored rather than trusted.
    keywords = (version.embedded_metadata or {}).get("keywords") if version else None
    if isinstance(keywords, str):
        return [keywords]
    if isinstance(keywords, list):
        return [k for k in keywords if isinstance(k, str)]
    return []


def text_for(asset: Asset, labels: Iterable[str], auto_labels: Iterable[str] = ()) -> SearchText:
    """The four weighted texts of an asset: title > labels > description > the rest.

    The labels of terms a person gave weigh as labels; those of automatic terms (content analysis) weigh as
    the description, so an asset a person tagged ranks above one a machine did. Text found in the file
    (OCR, a transcript, barcode values) weighs least, with the file's other facts.
    """
    other: list[str] = [asset.campaign, *_metadata_values(asset.metadata)]
    version = public_version(asset)
    if version is not None:
        other.append(version.original_filename)
        other.extend(_embedded_keywords(version))
        other.append(version.content_text)
    return SearchText(asset_id=asset.pk, title=index_text([asset.title]), labels=index_text(labels),
                      description=index_text([asset.description, *auto_labels]), other=index_text(other))


def document_for(asset: Asset, term_ids: Iterable[int], colors: Iterable[AssetColor]) -> SearchDocument:
    """An asset's index row: its access facts, the facts a viewer's filters test, its term links and the
    families of its dominant colours (`colors`, as colors_for makes them). The vector comes from its
    SearchText, which must be written first (PostgreSQL's trigger reads it)."""
    return SearchDocument(
        asset_id=asset.pk,
        **{field: getattr(asset, field) for field in ACCESS_FACTS + FILTERED_FACTS},
        **{f"approved_{field}": getattr(asset.approved_version, field) if asset.approved_version else None
           for field in APPROVED_FACTS},
        terms={str(term_id): 1 for term_id in sorted(set(term_ids))},
        color_families={c.family: 1 for c in colors if c.share >= asset_colors.MIN_SHARE})


def public_version(asset: Asset) -> AssetVersion | None:
    """The version whose file facts are indexed: the approved one once there is one.

    One index row serves every reader, so it may only hold what every reader of the
    asset may see; a draft revision's file name, keywords or colours would let viewers
    find an approved asset by a revision they cannot see.
    """
    return asset.approved_version or asset.current_version


def colors_for(asset: Asset) -> list[AssetColor]:
    version = public_version(asset)
    rows = []
    for color in (version.dominant_colors if version else None) or []:
        try:
            lightness, a, b = (float(x) for x in color["lab"])
            rows.append(AssetColor(asset_id=asset.pk, hex=str(color["hex"])[:7], family=str(color["family"])[:20],
                                   share=float(color["share"]), lightness=lightness, a=a, b=b))
        except (KeyError, TypeError, ValueError):
            continue  # a malformed entry must not stop indexing the rest
    return rows


@transaction.atomic
def reindex_assets(asset_ids: Iterable[int]) -> int:
    """Rewrite the index rows of these assets (missing ones are dropped). Returns how many were written."""
    ids = sorted(set(asset_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        assets = list(Asset.objects.filter(pk__in=chunk).select_related("current_version", "approved_version"))
        labels: dict[int, list[str]] = defaultdict(list)
        auto_labels: dict[int, list[str]] = defaultdict(list)
        term_ids: dict[int, list[int]] = defaultdict(list)
        for asset_id, term_id, term_label, source in AssetTerm.objects.filter(asset_id__in=chunk).values_list(
                "asset_id", "term_id", "term__label", "source"):
            (auto_labels if source == AssetTerm.Source.AUTO else labels)[asset_id].append(term_label)
            term_ids[asset_id].append(term_id)
        for asset_id, text, source in TermLabel.objects.filter(term__asset_links__asset_id__in=chunk).values_list(
                "term__asset_links__asset_id", "text", "term__asset_links__source"):
            (auto_labels if source == AssetTerm.Source.AUTO else labels)[asset_id].append(text)
        # Delete and insert rather than update: the full-text triggers follow row writes, and one statement
        # per table beats one per asset. The texts go first: PostgreSQL's trigger on an inserted index row
        # reads its vector from them.
        SearchDocument.objects.filter(asset_id__in=chunk).delete()
        SearchText.objects.filter(asset_id__in=chunk).delete()
        AssetColor.objects.filter(asset_id__in=chunk).delete()
        swatches = {a.pk: colors_for(a) for a in assets}
        SearchText.objects.bulk_create([text_for(a, labels.get(a.pk, []), auto_labels.get(a.pk, [])) for a in assets])
        SearchDocument.objects.bulk_create([document_for(a, term_ids.get(a.pk, []), swatches[a.pk]) for a in assets])
        AssetColor.objects.bulk_create([c for a in assets for c in swatches[a.pk]])
        written += len(assets)
    return written


_gathering = threading.local()


@contextmanager
def coalesced() -> Iterator[None]:
    """Within the block, `refresh` gathers asset ids and their rows are rewritten once, when it ends.

    For a writer that saves the same asset several times in one transaction (ingest:
    the asset, its version, then the asset's current version; three rewrites, two of
    them overwritten). Use it inside the transaction, so the index still commits with
    the change; when the block raises, nothing is written (the transaction is rolled back).
    """
    if getattr(_gathering, "ids", None) is not None:  # nested: the outermost block writes
        yield
        return
    _gathering.ids = set()
    try:
        yield
        ids = _gathering.ids
    finally:
        _gathering.ids = None
    if ids:
        reindex_assets(ids)


def refresh(asset_ids: Iterable[int]) -> None:
    """Rewrite these assets' index rows now, or at the end of the enclosing `coalesced()` block."""
    gathering = getattr(_gathering, "ids", None)
    if gathering is None:
        reindex_assets(asset_ids)
    else:
        gathering.update(asset_ids)


def reindex_assets_with_terms(term_ids: Iterable[int]) -> int:
    """After a label changed: rewrite the documents of every asset tagged with these terms."""
    ids = AssetTerm.objects.filter(term_id__in=list(term_ids)).values_list("asset_id", flat=True).distinct()
    return reindex_assets(list(ids))


def reindex_all() -> int:
    return reindex_assets(Asset.objects.values_list("pk", flat=True))


def compact() -> None:
    """Rebuild the full-text index tight, after a rewrite of many rows (`manage.py search_reindex`).

    Rows rewritten batch by batch, as reindex_assets and a live library do, leave the indexes
    loose: at 1,000,000 assets the folder index took 52 MB (40 MB rebuilt) and the GIN index
    297 MB (245 MB), and a viewer's ranked search took 0.94 times as long on the rebuilt ones
    (docs/performance.md). PostgreSQL rebuilds them CONCURRENTLY, so
    writers go on meanwhile; that cannot run inside a transaction. SQLite merges the FTS5
    table's segments into one.
    """
    if connection.in_atomic_block:
        raise RuntimeError("compact() rebuilds indexes concurrently: call it outside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"REINDEX TABLE CONCURRENTLY {connection.ops.quote_name(SearchDocument._meta.db_table)}")
        else:
            cursor.execute("INSERT INTO assets_search_fts(assets_search_fts) VALUES ('optimize')")
