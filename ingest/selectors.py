"""Read queries for upload batches, through the permission authority."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from accounts import permissions as authority
from ingest.models import ArchiveUnpacking, IngestBatch, IngestItem


def batches_visible_to(user: Any) -> QuerySet[IngestBatch]:
    # Explicit order: Django drops Meta.ordering from a GROUP BY query, so the newest-first list would be unordered.
    return authority.visible(user, IngestBatch.objects.all()).select_related("collection", "created_by").annotate(
        item_count=Count("items")).order_by("-created_at", "-id")


def access_batch(user: Any, pk: int, action: str = "view") -> IngestBatch:
    return authority.access(user, IngestBatch.objects.select_related("collection", "created_by"), action, pk=pk)


def batch_items(batch: IngestBatch, outcome: str | None = None) -> QuerySet[IngestItem]:
    """The batch's items in the order they were sent; only those with `outcome` when given."""
    items = batch.items.select_related("asset", "version", "duplicate_of").order_by("id")
    return items if outcome is None else items.filter(outcome=outcome)


def batch_summary(batch: IngestBatch) -> dict[str, int]:
    counts = {outcome: 0 for outcome in IngestItem.Outcome.values}
    for row in batch.items.values("outcome").annotate(n=Count("pk")):
        counts[row["outcome"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def unpackings_of(batch: IngestBatch) -> list[ArchiveUnpacking]:
    """The batch's archives left to background jobs, in the order they were sent."""
    return list(batch.unpackings.order_by("id"))


def stored_archives(prefix: str) -> set[str]:
    """The stored names under `prefix` of archives still waiting to be unpacked (assets.sweep)."""
    return set(ArchiveUnpacking.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def stored_archive_folders() -> set[str]:
    return {key.rsplit("/", 1)[0] + "/" for key in ArchiveUnpacking.objects.exclude(key="").values_list(
        "key", flat=True)}
