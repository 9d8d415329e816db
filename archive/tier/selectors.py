"""Where an asset's originals are, in a sentence for people (asset page, archive list, API)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils.timezone import localtime

from archive.models import TierMove
from assets.models import Asset, AssetVersion, StorageTier
from assets.originals import archive_tier_configured


@dataclass(frozen=True)
class TierStatus:
    configured: bool  # an archive tier is set up
    tier: str  # "primary", "archive", or "split" while a move is half done
    since: datetime | None  # when the originals arrived where they are (archive tier only)
    state: str | None  # the last move's state (queued, moving, done, failed), None: never moved
    target: str | None
    reason: str  # why the last move failed
    message: str  # the sentence to show; empty when there is nothing to say (originals at home)

    @property
    def failed(self) -> bool:
        return self.state == TierMove.State.FAILED

    @property
    def moving(self) -> bool:
        return self.state in (TierMove.State.QUEUED, TierMove.State.MOVING)


def moves_not_done() -> list[TierMove]:
    """Moves queued, running or failed, oldest first (manage.py tier_moves)."""
    return list(TierMove.objects.exclude(state=TierMove.State.DONE).select_related("asset").order_by("queued_at"))


def tier_status(asset: Asset) -> TierStatus:
    return tier_statuses([asset])[asset.pk]


def tier_statuses(assets: Iterable[Asset]) -> dict[int, TierStatus]:
    """The status of each asset of a page, in two queries."""
    ids = [asset.pk for asset in assets]
    moves = {move.asset_id: move for move in TierMove.objects.filter(asset_id__in=ids)}
    tiers: dict[int, dict[str, datetime | None]] = {pk: {} for pk in ids}
    rows = (AssetVersion.objects.filter(asset_id__in=ids).values("asset_id", "storage_tier")
            .annotate(since=Max("storage_tier_since")).order_by())
    for row in rows:
        tiers[row["asset_id"]][row["storage_tier"]] = row["since"]
    return {pk: _status(tiers[pk], moves.get(pk)) for pk in ids}


def _status(tiers: dict[str, datetime | None], move: TierMove | None) -> TierStatus:
    tier = "split" if len(tiers) > 1 else next(iter(tiers), StorageTier.PRIMARY)
    since = tiers.get(StorageTier.ARCHIVE) if tier == StorageTier.ARCHIVE else None
    state = move.state if move else None
    target = move.target if move else None
    reason = move.reason if move else ""
    return TierStatus(configured=archive_tier_configured(), tier=tier, since=since, state=state, target=target,
                      reason=reason, message=_message(tier, since, move))


def _message(tier: str, since: datetime | None, move: TierMove | None) -> str:
    if move is not None and move.state == TierMove.State.FAILED:
        places: dict[str, str] = {StorageTier.PRIMARY: "They are still in the primary storage.",
                                  StorageTier.ARCHIVE: "They are still in the archive tier."}
        where = places.get(tier, "Some are in each storage; every original can be read where it is.")
        move_to = "move the originals to the archive tier" if move.target == StorageTier.ARCHIVE \
            else "bring the originals back from the archive tier"
        reason = move.reason[:1].lower() + move.reason[1:]
        return f"Could not {move_to}: {reason} {where}"
    if move is not None and move.state in (TierMove.State.QUEUED, TierMove.State.MOVING):
        if move.target == StorageTier.ARCHIVE:
            return "Moving the originals to the archive tier… Downloads keep working meanwhile."
        return "Bringing the originals back from the archive tier… Downloads keep working meanwhile."
    if tier == StorageTier.ARCHIVE:
        return f"Originals in the archive tier since {localtime(since):%Y-%m-%d %H:%M}." if since \
            else "Originals in the archive tier."
    if tier == "split":
        return "Some originals are in the archive tier and some in the primary storage."
    return ""
