"""Taking assets out of use and bringing them back. History and files are always kept."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from archive.tier import services as tier_services
from assets.models import Asset
from dam.errors import StateConflict


@transaction.atomic
def asset_archive(*, asset: Asset, actor: User | None, reason: str = "") -> Asset:
    """Archive an asset: hidden from lists, viewers and delivery; restorable."""
    if actor is not None:
        authority.require(actor, "archive", asset)
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.archived_at is not None:
        raise StateConflict("This asset is already archived.")
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    audit.record("archive.asset.archived", actor=actor, target=locked, reason=reason)
    tier_services.originals_follow(asset=locked, actor=actor)  # to the archive tier, when there is one
    return locked


@transaction.atomic
def assets_archive(*, assets: list[Asset], actor: User, reason: str = "") -> int:
    """Archive several assets at once (the analytics page's "Archive selected"): all of them or none.

    Each is checked and audited as `asset_archive` does; one the actor may not archive refuses the lot,
    while one archived meanwhile (by someone else) is simply skipped. Returns how many were archived.
    """
    archived = 0
    for asset in assets:
        try:
            asset_archive(asset=asset, actor=actor, reason=reason)
        except StateConflict:
            continue
        archived += 1
    return archived


@transaction.atomic
def asset_restore(*, asset: Asset, actor: User | None) -> Asset:
    """Bring an archived asset back into use."""
    if actor is not None:
        authority.require(actor, "restore", asset)
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.archived_at is None:
        raise StateConflict("This asset is not archived.")
    locked.archived_at = None
    locked.save(update_fields=["archived_at", "updated_at"])
    audit.record("archive.asset.restored", actor=actor, target=locked)
    tier_services.originals_follow(asset=locked, actor=actor)  # back from the archive tier
    return locked
