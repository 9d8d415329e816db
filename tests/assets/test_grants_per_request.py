"""A user's grants are read once per request (dam.request_memo) and never kept across requests: every kind of
write that changes who reaches what (through the services, in bulk without signals, by cascade, group
membership) is seen by the next request, and a request that grants sees its own grant."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import assign_perm

from accounts import permissions as authority
from assets.models import Asset, Collection, CollectionGroupObjectPermission, CollectionUserObjectPermission
from assets.services import collection_grant
from dam import request_memo
from tests.factories import make_asset, make_collection


def visible_to(user) -> set[int]:
    with request_memo.scope():  # one request
        return set(authority.visible(user, Asset.objects.all()).values_list("pk", flat=True))


@pytest.fixture
def world(people):
    folder = make_collection("Granted later")
    group = Group.objects.create(name="Readers")
    return {"viewer": people["viewer"], "folder": folder, "group": group,
            "asset": make_asset(people["admin"], folder, approved=True)}


def _view_permission():
    return Permission.objects.get(codename="view_collection", content_type__app_label="assets")


GRANTS = {
    "a user granted a folder": lambda w: collection_grant(collection=w["folder"], level="view", user=w["viewer"],
                                                           actor=None),
    "a user granted a folder in bulk": lambda w: CollectionUserObjectPermission.objects.bulk_create([
        CollectionUserObjectPermission(content_object=w["folder"], user=w["viewer"], permission=_view_permission())]),
    "a group granted, then the user joined it": lambda w: (
        CollectionGroupObjectPermission.objects.bulk_create([CollectionGroupObjectPermission(
            content_object=w["folder"], group=w["group"], permission=_view_permission())]),
        w["viewer"].groups.add(w["group"])),
    "the asset granted to the user": lambda w: assign_perm("assets.view_asset", w["viewer"], w["asset"]),
    "the folder moved under a granted one": lambda w: (
        collection_grant(collection=make_collection("Granted"), level="view", user=w["viewer"], actor=None),
        Collection.objects.filter(pk=w["folder"].pk).update(
            path=Collection.objects.get(name="Granted").path + f"{w['folder'].pk}/")),
}

REVOKES = {
    "the grant deleted in bulk": lambda w: CollectionGroupObjectPermission.objects.filter(group=w["group"]).delete(),
    "the user left every group": lambda w: w["viewer"].groups.clear(),
    "the group deleted (its memberships by cascade)": lambda w: w["group"].delete(),
}


@pytest.mark.parametrize("grant", GRANTS)
def test_the_next_request_sees_a_new_grant(world, grant):
    assert world["asset"].pk not in visible_to(world["viewer"])
    GRANTS[grant](world)
    assert world["asset"].pk in visible_to(world["viewer"])


@pytest.mark.parametrize("revoke", REVOKES)
def test_the_next_request_sees_a_grant_taken_away(world, revoke):
    collection_grant(collection=world["folder"], level="view", user=world["viewer"], actor=None)
    collection_grant(collection=world["folder"], level="view", group=world["group"], actor=None)
    world["viewer"].groups.add(world["group"])
    CollectionUserObjectPermission.objects.filter(user=world["viewer"]).delete()  # only the group's grant is left
    assert world["asset"].pk in visible_to(world["viewer"])
    REVOKES[revoke](world)
    assert world["asset"].pk not in visible_to(world["viewer"])


def test_grants_are_read_once_per_request_and_again_after_a_grant_in_it(world, monkeypatch):
    from assets import permissions

    reads = []
    fetch = permissions._fetch_granted
    monkeypatch.setattr(permissions, "_fetch_granted", lambda user: reads.append(user.pk) or fetch(user))
    viewer = world["viewer"]
    with request_memo.scope():
        for _ in range(3):
            assert world["asset"].pk not in set(authority.visible(viewer, Asset.objects.all()).values_list(
                "pk", flat=True))
        assert len(reads) == 1
        collection_grant(collection=world["folder"], level="view", user=viewer, actor=None)  # forgets them
        assert world["asset"].pk in set(authority.visible(viewer, Asset.objects.all()).values_list("pk", flat=True))
        assert len(reads) == 2
    visible_to(viewer)  # the next request reads them again
    assert len(reads) == 3
