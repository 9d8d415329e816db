"""assets.kept_grants: each user's granted ids are kept per process while the access token stays the same.

The token (AccessGeneration) is replaced by database triggers, so every kind of
write that changes who reaches what must replace it: through the services, in
bulk without signals, by cascade. A write the triggers miss would let a process
go on answering with revoked grants, so each kind is tested here, on both
databases, against the migrated schema (which also catches a later migration
that rebuilt a table on SQLite and dropped its triggers).
"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts import permissions as authority
from assets import kept_grants
from assets.models import (
    AccessGeneration,
    Asset,
    Collection,
    CollectionGroupObjectPermission,
    CollectionUserObjectPermission,
)
from assets.services import collection_grant, collection_revoke
from dam import request_memo
from tests.factories import make_asset, make_collection

token = kept_grants.token


def visible_to(user) -> set[int]:
    with request_memo.scope():  # one request
        return set(authority.visible(user, Asset.objects.all()).values_list("pk", flat=True))


@pytest.fixture
def world(people):
    folder = make_collection("Cached folder")
    child = make_collection("Its child", parent=folder)
    group = Group.objects.create(name="Cache readers")
    collection_grant(collection=child, level="view", group=Group.objects.create(name="Others"), actor=None)
    return {"viewer": people["viewer"], "folder": folder, "child": child, "group": group,
            "empty": make_collection("Nothing granted here"),
            "asset": make_asset(people["admin"], folder, approved=True)}


def _view_permission():
    return Permission.objects.get(codename="view_collection", content_type__app_label="assets")


WRITES = {
    "a folder made": lambda w: make_collection("New", parent=w["folder"]),
    "a folder's path changed in bulk": lambda w: Collection.objects.filter(pk=w["child"].pk).update(path="/0/"),
    "a folder deleted": lambda w: w["empty"].delete(),  # no grant on it: only the folder's own trigger fires
    "a user granted a folder": lambda w: collection_grant(collection=w["folder"], level="view", user=w["viewer"],
                                                           actor=None),
    "a group granted a folder": lambda w: collection_grant(collection=w["folder"], level="view", group=w["group"],
                                                            actor=None),
    "a user granted a folder in bulk": lambda w: CollectionUserObjectPermission.objects.bulk_create([
        CollectionUserObjectPermission(content_object=w["folder"], user=w["viewer"], permission=_view_permission())]),
    "a group grant changed in bulk": lambda w: CollectionGroupObjectPermission.objects.filter(
        group__name="Others").update(group=w["group"]),
    "a user granted an asset": lambda w: assign_perm("assets.view_asset", w["viewer"], w["asset"]),
    "a group granted an asset": lambda w: assign_perm("assets.view_asset", w["group"], w["asset"]),
    "a user joined a group": lambda w: w["viewer"].groups.add(w["group"]),
    "a user left every group": lambda w: w["viewer"].groups.clear(),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_that_changes_who_reaches_what_replaces_the_token(world, write):
    before = token()
    WRITES[write](world)
    assert token() not in (before, None)


def test_renaming_a_folder_keeps_the_token(world):
    before = token()
    Collection.objects.filter(pk=world["folder"].pk).update(name="Renamed")
    assert token() == before


def test_revoking_and_deleting_a_group_replace_the_token(world):
    collection_grant(collection=world["folder"], level="view", group=world["group"], actor=None)
    world["viewer"].groups.add(world["group"])
    before = token()
    collection_revoke(collection=world["folder"], level="view", group=world["group"], actor=None)
    assert token() != before
    before = token()
    world["group"].delete()  # its memberships go by cascade
    assert token() != before


def grant_queries(user) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        visible_to(user)
    return [q["sql"] for q in queries.captured_queries if "objectpermission" in q["sql"]]


def test_a_viewers_grants_are_read_once_until_access_changes(world):
    viewer, folder = world["viewer"], world["folder"]
    collection_grant(collection=folder, level="view", user=viewer, actor=None)
    assert grant_queries(viewer)  # the first request reads them
    assert grant_queries(viewer) == []  # the next ones reuse them
    assert world["asset"].pk in visible_to(viewer)

    # Taken away in bulk, with no signal and nothing forgotten in Python: the next request must not see it.
    CollectionUserObjectPermission.objects.filter(user=viewer).delete()
    assert world["asset"].pk not in visible_to(viewer)
    CollectionUserObjectPermission.objects.bulk_create([
        CollectionUserObjectPermission(content_object=folder, user=viewer, permission=_view_permission())])
    assert world["asset"].pk in visible_to(viewer)
    newer = make_asset(None, make_collection("Newer", parent=folder), approved=True)
    assert newer.pk in visible_to(viewer)


def test_a_grant_rolled_back_is_not_kept(world):
    viewer = world["viewer"]
    assert world["asset"].pk not in visible_to(viewer)
    with pytest.raises(RuntimeError), transaction.atomic():
        collection_grant(collection=world["folder"], level="view", user=viewer, actor=None)
        assert world["asset"].pk in visible_to(viewer)  # read (and kept) inside the transaction
        raise RuntimeError("roll back")
    assert world["asset"].pk not in visible_to(viewer)


def test_without_the_token_row_nothing_is_kept(world):
    viewer = world["viewer"]
    collection_grant(collection=world["folder"], level="view", user=viewer, actor=None)
    AccessGeneration.objects.all().delete()
    assert grant_queries(viewer)
    assert grant_queries(viewer)


def test_what_a_process_keeps_is_bounded(world, people, monkeypatch):
    viewer, editor = world["viewer"], people["editor"]
    collection_grant(collection=world["folder"], level="view", user=viewer, actor=None)
    monkeypatch.setattr(kept_grants, "KEPT_IDS", 6)  # room for one user's three short lists
    assert grant_queries(viewer)
    assert grant_queries(editor)
    assert grant_queries(viewer) == []
    assert grant_queries(editor)  # no room left: read again


@pytest.fixture
def one_trigger_dropped(monkeypatch):
    """As after a migration that rebuilt assets_collection on SQLite without creating its triggers again."""
    name = sorted(kept_grants.expected_triggers(connection.vendor))[0]
    table = name.split("_access_changed")[0]
    with connection.cursor() as cursor:  # undone with the test's transaction
        on_table = f" ON {table}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {name}{on_table}")
    monkeypatch.setattr(kept_grants, "_triggers_checked", {})  # as a process starting now
    return name


def test_without_every_trigger_nothing_is_kept(world, one_trigger_dropped, caplog):
    viewer = world["viewer"]
    collection_grant(collection=world["folder"], level="view", user=viewer, actor=None)
    assert grant_queries(viewer)
    assert grant_queries(viewer)
    assert one_trigger_dropped in caplog.text


def test_a_migrated_database_has_every_trigger(db, monkeypatch):
    monkeypatch.setattr(kept_grants, "_triggers_checked", {})
    assert kept_grants.triggers_in_place()
