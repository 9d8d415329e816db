"""Reads for retention: what a rule matches (the one selector the dry run and the run share), holds, the bin."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.lookups import StartsWith
from django.utils import timezone

from archive.models import BinEntry, LegalHold, RetentionRule, RetentionRun
from assets.models import Asset, AssetTerm, Collection, ReviewState
from distribution.models import DownloadEvent

HELD = "held"
IN_REVIEW = "in_review"
SKIP_REASONS = {
    HELD: "Under legal hold",
    IN_REVIEW: "Its current revision is in review",
}


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def held_q(asset_ref: str = "pk", path_ref: str = "collection__path") -> Q:
    """SQL: an active hold on the asset, or on its folder or any folder above it."""
    on_asset = active_holds().filter(asset_id=OuterRef(asset_ref))
    on_folder = active_holds().filter(collection__isnull=False).filter(
        StartsWith(OuterRef(path_ref), F("collection__path")))
    return Q(Exists(on_asset)) | Q(Exists(on_folder))


def asset_is_held(asset: Asset) -> bool:
    return Asset.objects.filter(pk=asset.pk).filter(held_q()).exists()


def collection_is_held(collection: Collection) -> bool:
    return holds_for_collection(collection).exists()


def holds_for_asset(asset: Asset) -> QuerySet[LegalHold]:
    """The active holds that cover the asset: its own, and those on its folder and the folders above."""
    path = asset.collection.path
    return (active_holds().filter(Q(asset=asset) | Q(collection__isnull=False,
                                                     collection__path__in=_prefixes(path)))
            .select_related("asset", "collection", "placed_by"))


def holds_for_collection(collection: Collection) -> QuerySet[LegalHold]:
    return (active_holds().filter(collection__path__in=_prefixes(collection.path))
            .select_related("collection", "placed_by"))


def _prefixes(path: str) -> list[str]:
    """"/1/5/9/" -> ["/1/", "/1/5/", "/1/5/9/"]: the paths of the folder and every folder above it."""
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def rule_matches(rule: RetentionRule, *, now: datetime | None = None) -> QuerySet[Any]:
    """Every asset the rule's conditions select, annotated `held` and `in_review`, in a stable order.

    The dry run pages through this queryset and the run walks it: what the dry run lists is what the
    run does (held and in-review assets are listed as skipped by both).
    """
    now = now or timezone.now()
    assets = Asset.objects.filter(binned_at__isnull=True)
    if rule.action == RetentionRule.Action.ARCHIVE:
        assets = assets.filter(archived_at__isnull=True)
    if rule.collection_id is not None:
        assets = assets.filter(collection__path__startswith=rule.collection.path)  # type: ignore[union-attr]
    if rule.asset_type:
        assets = assets.filter(asset_type=rule.asset_type)
    if rule.review_state:
        assets = assets.filter(current_version__review_state=rule.review_state)
    if rule.older_than_days is not None:
        assets = assets.filter(created_at__lte=now - timedelta(days=rule.older_than_days))
    if rule.not_downloaded_days is not None:
        since = now - timedelta(days=rule.not_downloaded_days)
        # Not downloaded for N days: no download since then, and it existed all that time.
        assets = assets.filter(created_at__lte=since).exclude(
            Exists(DownloadEvent.objects.filter(asset_id=OuterRef("pk"), created_at__gt=since)))
    if rule.archived_for_days is not None:
        assets = assets.filter(archived_at__lte=now - timedelta(days=rule.archived_for_days))
    if rule.pk is not None:
        term_ids = list(rule.terms.values_list("pk", flat=True))
        if term_ids:
            assets = assets.filter(Exists(AssetTerm.objects.filter(asset_id=OuterRef("pk"), term_id__in=term_ids)))
    return (assets
            .annotate(held=ExpressionWrapper(held_q(), output_field=BooleanField()),
                      # A Case, not the bare comparison: an asset without a current version would compare
                      # as NULL, and NULL is neither in review nor not.
                      in_review=Case(When(current_version__review_state=ReviewState.IN_REVIEW, then=Value(True)),
                                     default=Value(False), output_field=BooleanField()))
            .select_related("collection", "current_version")
            .order_by("pk"))


def describe(rule: RetentionRule) -> str:
    """The rule's conditions as a sentence for people: "in Campaigns and its sub-folders, not downloaded …"."""
    parts = []
    if rule.collection_id is not None:
        parts.append(f"in “{rule.collection}” and its sub-folders")
    if rule.asset_type:
        parts.append(f"of the type {rule.get_asset_type_display().lower()}")
    if rule.review_state:
        parts.append(f"whose current revision is {rule.get_review_state_display().lower()}")
    if rule.older_than_days is not None:
        parts.append(f"uploaded more than {rule.older_than_days} days ago")
    if rule.not_downloaded_days is not None:
        parts.append(f"not downloaded for {rule.not_downloaded_days} days")
    if rule.archived_for_days is not None:
        parts.append(f"archived for more than {rule.archived_for_days} days")
    labels = [f"“{term.label}”" for term in rule.terms.all()] if rule.pk else []
    if labels:
        parts.append("carrying " + " or ".join(labels))
    return ", ".join(parts) or "(no condition)"


def skip_reason(asset: Any) -> str:
    """Why a matched asset is left alone ("" when the rule acts on it); reads rule_matches' annotations."""
    if asset.held:
        return HELD
    if asset.in_review:
        return IN_REVIEW
    return ""


@dataclass
class Plan:
    """What a rule would do now: the assets it acts on, and those it skips with the reason."""

    rule: RetentionRule
    to_act: QuerySet[Any]  # Assets, annotated as rule_matches says
    skipped: QuerySet[Any]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.counts["act"]


def rule_plan(rule: RetentionRule, *, now: datetime | None = None) -> Plan:
    matches = rule_matches(rule, now=now)
    to_act = matches.filter(held=False, in_review=False)
    skipped = matches.filter(Q(held=True) | Q(in_review=True))
    # One pass over the matches for the three counts (three count() queries took three times as long).
    totals = matches.order_by().aggregate(n_act=Count("pk", filter=Q(held=False, in_review=False)),
                                          n_held=Count("pk", filter=Q(held=True)),
                                          n_in_review=Count("pk", filter=Q(held=False, in_review=True)))
    counts = {"act": totals["n_act"], HELD: totals["n_held"], IN_REVIEW: totals["n_in_review"]}
    return Plan(rule=rule, to_act=to_act, skipped=skipped, counts=counts)


def rules() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.select_related("collection", "enabled_by", "created_by").prefetch_related("terms")


def recent_runs(rule: RetentionRule | None = None, limit: int = 20) -> list[RetentionRun]:
    runs = RetentionRun.objects.select_related("actor", "rule")
    if rule is not None:
        runs = runs.filter(rule=rule)
    return list(runs[:limit])


def bin_entries() -> QuerySet[Any]:
    return BinEntry.objects.select_related("asset", "asset__collection", "asset__current_version", "binned_by",
                                           "rule").annotate(held=ExpressionWrapper(
                                               held_q("asset_id", "asset__collection__path"),
                                               output_field=BooleanField()))


def bin_due(*, now: datetime | None = None) -> QuerySet[Any]:
    """Entries whose grace period is over."""
    return bin_entries().filter(purge_after__lte=now or timezone.now()).order_by("purge_after", "pk")
