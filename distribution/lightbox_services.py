"""Lightboxes, the writing side: making, editing, sharing and deleting them, and gathering their members.

Each service checks the actor through the authority (LightboxPolicy), locks the lightbox row (so two
people reordering at once cannot interleave their renumbering), and writes one audit event. Members
are kept numbered 0, 1, 2... in order. Only assets the actor may see (live) can be added; members the
actor may not see are never touched by a wholesale replace (`lightbox_update(assets=...)`).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset
from assets.selectors import live_assets_visible_to
from distribution.models import Lightbox, LightboxItem, LightboxShare

NAME_MAX = 200
NOTE_MAX = 2000


@dataclass(frozen=True)
class Sharing:
    """Who a lightbox is shared with, stated whole (the API's `shared_with`): it replaces every share."""

    users: Sequence[str] = ()
    groups: Sequence[str] = ()
    can_edit: bool = False


@transaction.atomic
def lightbox_create(*, actor: User, name: str, description: str = "", assets: Iterable[Any] = (), note: str = "",
                    sharing: Sharing | None = None) -> Lightbox:
    """Make a lightbox owned by the actor, with these assets (uids, in order) and, optionally, its shares."""
    authority.require(actor, "create", Lightbox)
    name, note = _clean_name(name), _clean_note(note)
    members = _assets_for(actor, assets)
    lightbox = Lightbox.objects.create(owner=actor, name=name, description=description)
    LightboxItem.objects.bulk_create([LightboxItem(lightbox=lightbox, asset=asset, position=i, note=note,
                                                   added_by=actor) for i, asset in enumerate(members)])
    shared = _replace_shares(lightbox, sharing) if sharing is not None else None
    audit.record("distribution.lightbox.created", actor=actor, target=lightbox, name=name,
                 assets=[str(a.uid) for a in members], shared_with=shared)
    return lightbox


@transaction.atomic
def lightbox_update(*, lightbox: Lightbox, actor: User, name: str | None = None, description: str | None = None,
                    assets: Iterable[Any] | None = None, sharing: Sharing | None = None) -> Lightbox:
    """Change what is given (None = leave it): name and description (owner, admins), the members as a whole,
    in this order (whoever may edit its members; members the actor cannot see keep their places), and
    who it is shared with (owner, admins)."""
    lightbox = _lock(lightbox)
    changes: dict[str, Any] = {}
    fields = []
    if name is not None and _clean_name(name) != lightbox.name:
        authority.require(actor, "change", lightbox)
        lightbox.name = changes["name"] = _clean_name(name)
        fields.append("name")
    if description is not None and description != lightbox.description:
        authority.require(actor, "change", lightbox)
        lightbox.description = changes["description"] = description
        fields.append("description")
    if sharing is not None:
        authority.require(actor, "share", lightbox)
        changes["shared_with"] = _replace_shares(lightbox, sharing)
    if assets is not None:
        authority.require(actor, "edit_items", lightbox)
        changes["assets"] = _replace_members(lightbox, actor, _assets_for(actor, assets))
    if changes:
        lightbox.save(update_fields=[*fields, "updated_at"])
        audit.record("distribution.lightbox.updated", actor=actor, target=lightbox, **changes)
    return lightbox


@transaction.atomic
def lightbox_delete(*, lightbox: Lightbox, actor: User) -> None:
    """Delete a lightbox (owner, admins); its assets stay where they are."""
    authority.require(actor, "delete", lightbox)
    lightbox = _lock(lightbox)
    audit.record("distribution.lightbox.deleted", actor=actor, target=lightbox, name=lightbox.name,
                 owner=lightbox.owner.display_name, members=lightbox.items.count())
    lightbox.delete()


@transaction.atomic
def lightbox_add_assets(*, lightbox: Lightbox, actor: User, assets: Iterable[Any], note: str = "") -> list[Asset]:
    """Append these assets (uids) to the end, in order; those already in it stay where they are, notes kept.
    Returns the assets added."""
    authority.require(actor, "edit_items", lightbox)
    note = _clean_note(note)
    members = _assets_for(actor, assets)
    lightbox = _lock(lightbox)
    items = _ordered(lightbox)
    present = {item.asset_id for item in items}
    added = [asset for asset in members if asset.pk not in present]
    if added:
        _renumber(items + [LightboxItem(lightbox=lightbox, asset=asset, note=note, added_by=actor) for asset in added])
        lightbox.save(update_fields=["updated_at"])
        audit.record("distribution.lightbox.assets_added", actor=actor, target=lightbox,
                     assets=[str(a.uid) for a in added], note=note)
    return added


@transaction.atomic
def lightbox_remove_assets(*, lightbox: Lightbox, actor: User, assets: Iterable[Any]) -> int:
    """Take these assets (uids) out; uids that are not members are ignored. Returns how many left."""
    authority.require(actor, "edit_items", lightbox)
    uids = _parse_uids(assets)
    lightbox = _lock(lightbox)
    leaving = lightbox.items.filter(asset__uid__in=uids)
    removed = [str(uid) for uid in leaving.values_list("asset__uid", flat=True)]
    if removed:
        leaving.delete()
        _renumber(_ordered(lightbox))
        lightbox.save(update_fields=["updated_at"])
        audit.record("distribution.lightbox.assets_removed", actor=actor, target=lightbox, assets=removed)
    return len(removed)


@transaction.atomic
def lightbox_item_update(*, item: LightboxItem, actor: User, note: str | None = None,
                         position: int | None = None) -> LightboxItem:
    """Change one member's note and/or move it to `position` (0 = first; past the end = last)."""
    authority.require(actor, "edit_items", item.lightbox)
    lightbox = _lock(item.lightbox)
    items = _ordered(lightbox)
    item = next((i for i in items if i.pk == item.pk), None)  # type: ignore[assignment]
    if item is None:  # taken out since the caller fetched it
        raise Http404("That asset is no longer in the lightbox.")
    changes: dict[str, Any] = {}
    if note is not None and _clean_note(note) != item.note:
        item.note = changes["note"] = _clean_note(note)
        item.save(update_fields=["note"])
    if position is not None:
        if position < 0:
            raise ValidationError({"position": "A position is 0 (the first) or more."})
        target = min(position, len(items) - 1)
        if target != items.index(item):
            items.remove(item)
            items.insert(target, item)
            _renumber(items)
            changes["position"] = target
    if changes:
        lightbox.save(update_fields=["updated_at"])
        audit.record("distribution.lightbox.item_updated", actor=actor, target=lightbox,
                     asset=str(item.asset.uid), **changes)
    return item


@transaction.atomic
def lightbox_share(*, lightbox: Lightbox, actor: User, username: str = "", group: str = "",
                   can_edit: bool = False) -> LightboxShare:
    """Share with one person (username) or one group (name), to look at or to edit; sharing again with the
    same one changes what they may do."""
    authority.require(actor, "share", lightbox)
    if bool(username) == bool(group):
        raise ValidationError("Choose one person or one group.")
    lightbox = _lock(lightbox)
    if username:
        person = _users([username])[0]
        if person.pk == lightbox.owner_id:
            raise ValidationError({"user": f"{person.display_name} owns this lightbox."})
        share, _ = LightboxShare.objects.update_or_create(lightbox=lightbox, user=person,
                                                          defaults={"can_edit": can_edit})
    else:
        share, _ = LightboxShare.objects.update_or_create(lightbox=lightbox, group=_groups([group])[0],
                                                          defaults={"can_edit": can_edit})
    audit.record("distribution.lightbox.shared", actor=actor, target=lightbox,
                 user=share.user.display_name if share.user else None,
                 group=group or None, can_edit=can_edit)
    return share


@transaction.atomic
def lightbox_unshare(*, share: LightboxShare, actor: User) -> None:
    """Stop sharing with that person or group."""
    authority.require(actor, "share", share.lightbox)
    audit.record("distribution.lightbox.unshared", actor=actor, target=share.lightbox,
                 user=share.user.display_name if share.user else None,
                 group=share.group.name if share.group else None)
    share.delete()


# --- helpers (inside the services' transactions) ----------------------------------------------------------

def _lock(lightbox: Lightbox) -> Lightbox:
    return Lightbox.objects.select_for_update().select_related("owner").get(pk=lightbox.pk)


def _ordered(lightbox: Lightbox) -> list[LightboxItem]:
    return list(LightboxItem.objects.filter(lightbox=lightbox).order_by("position", "pk"))


def _renumber(items: list[LightboxItem]) -> None:
    """Save `items` (the whole lightbox, in its new order, new members unsaved) as positions 0, 1, 2...

    Also closes the gaps that members leave when their asset is deleted (a cascade, not a service)."""
    moved = []
    for position, item in enumerate(items):
        if item.position != position or item.pk is None:
            item.position = position
            moved.append(item)
    LightboxItem.objects.bulk_update([i for i in moved if i.pk is not None], ["position"])
    LightboxItem.objects.bulk_create([i for i in moved if i.pk is None])


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the lightbox a name."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"A name has at most {NAME_MAX} characters."})
    return name


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"A note has at most {NOTE_MAX} characters."})
    return note


def _parse_uids(uids: Iterable[Any]) -> list[uuid.UUID]:
    parsed: list[uuid.UUID] = []
    for uid in uids:
        try:
            value = uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid))
        except ValueError:
            raise ValidationError({"assets": f"“{uid}” is not an asset id."}) from None
        if value not in parsed:
            parsed.append(value)
    return parsed


def _assets_for(actor: User, uids: Iterable[Any]) -> list[Asset]:
    """The assets for these uids, in order, each once; all of them live and visible to the actor, or a
    ValidationError that does not tell an asset that does not exist from one the actor may not see."""
    wanted = _parse_uids(uids)
    found = {asset.uid: asset for asset in live_assets_visible_to(actor).select_related(None)
             .prefetch_related(None).only("pk", "uid", "title").filter(uid__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationError({"assets": "Some of these assets do not exist or are not available to you."})
    return [found[uid] for uid in wanted]


def _replace_members(lightbox: Lightbox, actor: User, wanted: list[Asset]) -> dict[str, list[str]]:
    """Make the members the actor sees exactly `wanted`, in that order. Members the actor may not see
    stay, at the same place in the order as far as the new length allows: a person cannot remove what
    they cannot see, nor learn of it by its disappearing."""
    items = _ordered(lightbox)
    seen = set(live_assets_visible_to(actor).filter(pk__in=[i.asset_id for i in items]).values_list("pk", flat=True))
    current = {item.asset_id: item for item in items}
    wanted_ids = {asset.pk for asset in wanted}
    order = [current.get(asset.pk) or LightboxItem(lightbox=lightbox, asset=asset, added_by=actor)
             for asset in wanted]
    for index, item in enumerate(items):
        if item.asset_id not in seen:
            order.insert(min(index, len(order)), item)
    leaving = [item for item in items if item.asset_id in seen and item.asset_id not in wanted_ids]
    LightboxItem.objects.filter(pk__in=[item.pk for item in leaving]).delete()
    _renumber(order)
    return {"order": [str(asset.uid) for asset in wanted],
            "added": [str(asset.uid) for asset in wanted if asset.pk not in current],
            "removed": [str(uid) for uid in Asset.objects.filter(pk__in=[i.asset_id for i in leaving])
                        .values_list("uid", flat=True)]}


def _users(usernames: Iterable[str]) -> list[User]:
    names = list(dict.fromkeys(usernames))
    found = {user.username: user for user in User.objects.filter(username__in=names, is_active=True)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError({"user": f"No such person: {', '.join(missing)}."})
    return [found[name] for name in names]


def _groups(names: Iterable[str]) -> list[Group]:
    names = list(dict.fromkeys(names))
    found = {group.name: group for group in Group.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError({"group": f"No such group: {', '.join(missing)}."})
    return [found[name] for name in names]


def _replace_shares(lightbox: Lightbox, sharing: Sharing) -> dict[str, Any]:
    try:
        users, groups = _users(sharing.users), _groups(sharing.groups)
    except ValidationError as exc:  # the API's field is shared_with
        raise ValidationError({"shared_with": exc.messages}) from None
    if any(user.pk == lightbox.owner_id for user in users):
        raise ValidationError({"shared_with": f"{lightbox.owner.display_name} owns this lightbox."})
    lightbox.shares.all().delete()
    LightboxShare.objects.bulk_create(
        [LightboxShare(lightbox=lightbox, user=user, can_edit=sharing.can_edit) for user in users]
        + [LightboxShare(lightbox=lightbox, group=group, can_edit=sharing.can_edit) for group in groups])
    return {"users": [u.username for u in users], "groups": [g.name for g in groups], "can_edit": sharing.can_edit}
