"""Actions on folders: creating them and granting access to them."""
from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Collection
from assets.permissions import GRANT_LEVELS


@transaction.atomic
def collection_create(*, name: str, actor: User | None, parent: Collection | None = None,
                      description: str = "") -> Collection:
    """Create a folder at the top level (admins) or under one the actor manages."""
    if actor is not None:
        authority.require(actor, "create_child", parent) if parent else authority.require(actor, "create", Collection)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A collection needs a name."})
    if Collection.objects.filter(parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": "There is already a collection with this name here."})
    collection = Collection.objects.create(name=name, parent=parent, description=description, created_by=actor)
    collection.path = f"{parent.path if parent else '/'}{collection.pk}/"
    collection.save(update_fields=["path"])
    audit.record("assets.collection.created", actor=actor, target=collection, parent=parent.pk if parent else None)
    return collection


@transaction.atomic
def collection_set_delivery(*, collection: Collection, delivery: str, actor: User | None) -> Collection:
    """How outside tools may fetch the folder's approved assets' delivery URLs: public, signed or token."""
    if actor is not None:
        authority.require(actor, "set_delivery", collection)
    if delivery not in Collection.Delivery.values:
        raise ValidationError({"delivery": f"Choose one of: {', '.join(Collection.Delivery.values)}."})
    if delivery != collection.delivery:
        previous, collection.delivery = collection.delivery, delivery
        collection.save(update_fields=["delivery"])
        audit.record("assets.collection.delivery_changed", actor=actor, target=collection, delivery=delivery,
                     previous=previous)
    return collection


def _grantee(user: User | None, group: Group | None) -> User | Group:
    if (user is None) == (group is None):
        raise ValidationError("Grant to exactly one user or one group.")
    return user if user is not None else group  # type: ignore[return-value]


@transaction.atomic
def collection_grant(*, collection: Collection, level: str, actor: User | None, user: User | None = None,
                     group: Group | None = None) -> None:
    """Give view / contribute / manage on a folder (and so on everything below it)."""
    if actor is not None:
        authority.require(actor, "grant", collection)
    if level not in GRANT_LEVELS:
        raise ValidationError({"level": f"Choose one of: {', '.join(GRANT_LEVELS)}."})
    grantee = _grantee(user, group)
    assign_perm(f"assets.{GRANT_LEVELS[level]}", grantee, collection)
    audit.record("assets.collection.granted", actor=actor, target=collection, level=level,
                 grantee=user.display_name if user else str(grantee), grantee_kind="user" if user else "group")


@transaction.atomic
def collection_revoke(*, collection: Collection, level: str, actor: User | None, user: User | None = None,
                      group: Group | None = None) -> None:
    """Take one grant away again."""
    if actor is not None:
        authority.require(actor, "grant", collection)
    grantee = _grantee(user, group)
    remove_perm(f"assets.{GRANT_LEVELS[level]}", grantee, collection)
    audit.record("assets.collection.revoked", actor=actor, target=collection, level=level,
                 grantee=user.display_name if user else str(grantee), grantee_kind="user" if user else "group")
