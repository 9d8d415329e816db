"""Lightboxes, the reading side: which lightboxes a person sees, and which of their members.

A lightbox never shows anyone an asset they may not see themselves: each member is looked up among
the *live* assets the reader may see (`assets.selectors.live_assets_visible_to`: the asset policy's
rule, and not archived, as in lists and search); the others are places in the order with nothing of
the asset at hand. The writes are in `distribution/lightbox_services.py`.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts import permissions as authority
from assets.models import Asset
from assets.selectors import live_assets_visible_to, live_cards_visible_to, with_shown_versions
from distribution.models import Lightbox, LightboxItem, LightboxShare
from distribution.permissions import lightbox_shares_to


@dataclass(frozen=True)
class Member:
    """One place in a lightbox as one reader sees it.

    `asset` is None when the reader may not see the asset (a draft, archived, embargoed, out of
    rights, or in a folder they do not reach): then nothing of it but its uid is here to show.
    """

    id: int
    uid: uuid.UUID
    position: int
    note: str
    asset: Asset | None

    @property
    def available(self) -> bool:
        return self.asset is not None


def lightboxes_visible_to(user: Any) -> QuerySet[Lightbox]:
    """The lightboxes a person lists: their own and those shared with them (every one, for admins), with
    their owner, `item_count` (every member, those the reader may not see included), `share_count` and
    `shared_with_me` (reaching `user` by a share, not only as an admin)."""
    return authority.visible(user, Lightbox.objects.all()).select_related("owner").annotate(
        item_count=_count(LightboxItem), share_count=_count(LightboxShare),
        shared_with_me=Exists(lightbox_shares_to(user).filter(lightbox=OuterRef("pk"))),
    ).order_by("-updated_at", "-pk")


def _count(model: type[LightboxItem | LightboxShare]) -> Coalesce:
    """How many of `model` each lightbox has, as a subquery (two joined counts would multiply each other)."""
    rows = model.objects.filter(lightbox=OuterRef("pk")).order_by().values("lightbox").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


def access_lightbox(user: Any, pk: Any, action: str = "view") -> Lightbox:
    """Fetch one lightbox and check `action`: 404 when unseen, 403 when seen but not allowed."""
    return authority.access(user, Lightbox.objects.select_related("owner"), action, pk=pk)


def member_item(lightbox: Lightbox, **lookup: Any) -> LightboxItem:
    """One member of the lightbox by `uid=` (its asset's) or `pk=` (the item's): 404 when it is not one."""
    if "uid" in lookup:
        lookup["asset__uid"] = lookup.pop("uid")
    item = LightboxItem.objects.filter(lightbox=lightbox, **lookup).select_related("lightbox__owner").first()
    if item is None:
        raise Http404("That asset is not in the lightbox.")
    return item


def lightboxes_to_add_to(user: Any) -> QuerySet[Lightbox]:
    """Where the "Add to lightbox" forms offer to add: the person's own lightboxes and those shared with them
    to edit, newest first (admins too: the pick is not every lightbox there is)."""
    shared = lightbox_shares_to(user, editing=True).values("lightbox_id")
    return Lightbox.objects.filter(Q(owner=user) | Q(pk__in=shared)).select_related("owner").order_by(
        "-updated_at", "-pk")


def lightbox_choices(user: Any, asset: Asset | None = None) -> list[Lightbox]:
    """What the "Add to lightbox" pickers offer (lightboxes_to_add_to, the latest 100), each with
    `has_asset`: `asset` is in it already."""
    choices = lightboxes_to_add_to(user)
    if asset is not None:
        choices = choices.annotate(has_asset=Exists(LightboxItem.objects.filter(lightbox=OuterRef("pk"), asset=asset)))
    return list(choices[:100])


def shares_of(lightbox: Lightbox) -> QuerySet[LightboxShare]:
    return lightbox.shares.select_related("user", "group").order_by("group__name", "user__username")


def members_of(user: Any, lightbox: Lightbox, *, cards: bool = True) -> list[Member]:
    """Every member of the lightbox in order, each with its asset when `user` may see it.

    `cards`: the assets as the grid shows them (with the version the reader sees and its thumbnail);
    otherwise the whole asset rows (as live_assets_visible_to gives them).
    """
    assets = (live_cards_visible_to(user) if cards else live_assets_visible_to(user))
    members = _members(LightboxItem.objects.filter(lightbox=lightbox), assets)
    found = members.get(lightbox.pk, [])
    if cards:
        with_shown_versions(user, [m.asset for m in found if m.asset is not None])
    return found


def members_visible_to(user: Any, lightbox: Lightbox) -> list[Asset]:
    """The lightbox's assets that `user` may see, in the lightbox's order (what its zip holds)."""
    return [m.asset for m in members_of(user, lightbox, cards=False) if m.asset is not None]


def members_by_lightbox(user: Any, lightboxes: Iterable[Lightbox]) -> dict[int, list[Member]]:
    """The members of several lightboxes (a page of the API's list), in two queries: their assets carry
    the uid and title only."""
    light = live_assets_visible_to(user).select_related(None).prefetch_related(None).only("pk", "uid", "title")
    return _members(LightboxItem.objects.filter(lightbox__in=[lb.pk for lb in lightboxes]), light)


def _members(items: QuerySet[LightboxItem], visible: QuerySet[Asset]) -> dict[int, list[Member]]:
    rows = list(items.order_by("lightbox_id", "position", "pk").values_list(
        "lightbox_id", "pk", "asset_id", "asset__uid", "position", "note"))
    seen = {asset.pk: asset for asset in visible.filter(pk__in=items.values("asset_id"))}
    members: dict[int, list[Member]] = defaultdict(list)
    for lightbox_id, pk, asset_id, uid, _, note in rows:
        # The place in the order, not the stored number: members whose asset was deleted leave gaps.
        place = len(members[lightbox_id])
        members[lightbox_id].append(Member(id=pk, uid=uid, position=place, note=note, asset=seen.get(asset_id)))
    return members


def addable_assets(user: Any, uids: Iterable[str]) -> list[Asset]:
    """Of these uids, the live assets `user` may see (and so may gather), in the order given; the rest
    (malformed, unknown, not visible) left out without saying which."""
    wanted: list[uuid.UUID] = []
    for uid in uids:
        try:
            parsed = uuid.UUID(str(uid))
        except ValueError:
            continue
        if parsed not in wanted:
            wanted.append(parsed)
    found = {asset.uid: asset for asset in live_cards_visible_to(user).filter(uid__in=wanted)}
    return [found[uid] for uid in wanted if uid in found]
