"""DESIGN.md's role matrix, over the API and the UI: every role, on every kind of object.

Object kinds: an own draft, another's draft, another's approved asset, an
approved asset in a folder nobody was granted ("secret"), and an approved asset
in a folder granted to the persona by name ("granted", view only).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts import permissions as authority
from archive import services as archive_services
from assets import permissions as asset_permissions
from assets import services
from assets.models import Asset, Collection
from assets.permissions import visibility_q
from assets.services import collection_grant, collection_revoke
from dam import request_memo
from search.models import SearchDocument
from taxonomy.models import Term, Vocabulary
from tests.factories import make_asset, make_collection, png_bytes

ROLES = ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]
KINDS = ["own_draft", "others_draft", "others_approved", "secret", "granted"]

# What each role gets for GET (view), PATCH (edit) and POST versions (new revision).
# 404 = may not see it; 403 = sees it but may not do that.
SEES_DRAFTS = {"admin", "librarian", "brand_manager", "editor"}


def expected_view(role: str, kind: str) -> int:
    if role == "admin":
        return 200
    if role == "outsider":
        return 200 if kind == "granted" else 404  # an outsider sees only what was granted to them
    if kind == "secret":
        return 404
    if kind == "others_draft":
        return 200 if role in SEES_DRAFTS else 404
    return 200


def expected_edit(role: str, kind: str) -> int:
    seen = expected_view(role, kind)
    if seen != 200:
        return seen
    if role in ("admin", "librarian", "brand_manager", "editor"):
        return 200
    if role == "contributor" and kind == "own_draft":
        return 200
    return 403


def expected_new_version(role: str, kind: str) -> int:
    seen = expected_view(role, kind)
    if seen != 200:
        return seen
    if role == "admin":
        return 201
    if role in ("editor", "contributor") and kind == "own_draft":
        return 201
    # Editors revise others' assets where they may contribute (Library), not in a view-only grant.
    if role == "editor" and kind in ("others_draft", "others_approved"):
        return 201
    return 403


@pytest.fixture
def world(people):
    """For each persona, the five kinds of object as seen from that persona."""
    someone = people["brand_manager"]  # owns the "others'" assets; never a persona under test for ownership
    secret = make_collection("Secret")
    objects = {}
    for role, user in people.items():
        granted = make_collection(f"Granted to {role}")
        collection_grant(collection=granted, level="view", user=user, actor=None)
        objects[role] = {
            "own_draft": make_asset(user if role != "outsider" else None, title=f"{role} own"),
            "others_draft": make_asset(people["admin"] if role == "brand_manager" else someone),
            "others_approved": make_asset(people["admin"] if role == "brand_manager" else someone, approved=True),
            "secret": make_asset(people["admin"], secret, approved=True),
            "granted": make_asset(people["admin"], granted, approved=True),
        }
    return objects


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(role, world, api):
    client = api[role]
    got, want = {}, {}
    for kind in KINDS:
        if role == "outsider" and kind == "own_draft":
            continue  # an outsider owns nothing
        asset = world[role][kind]
        url = f"/api/v1/assets/{asset.uid}/"
        got[(kind, "view")] = client.get(url).status_code
        got[(kind, "download")] = client.get(url + "download/").status_code
        got[(kind, "edit")] = client.patch(url, {"title": "Renamed"}, format="json").status_code
        got[(kind, "new_version")] = client.post(
            url + "versions/", {"file": _upload()}, format="multipart").status_code
        want[(kind, "view")] = want[(kind, "download")] = expected_view(role, kind)
        want[(kind, "edit")] = expected_edit(role, kind)
        want[(kind, "new_version")] = expected_new_version(role, kind)
    assert got == want


@pytest.mark.parametrize("role", ROLES)
def test_ui_matrix(role, world, web):
    client = web(role)
    got, want = {}, {}
    for kind in KINDS:
        if role == "outsider" and kind == "own_draft":
            continue
        asset = world[role][kind]
        got[(kind, "view")] = client.get(f"/assets/{asset.uid}/").status_code
        got[(kind, "download")] = client.get(f"/assets/{asset.uid}/download/").status_code
        got[(kind, "edit")] = client.get(f"/assets/{asset.uid}/edit/").status_code
        got[(kind, "new_version")] = client.get(f"/assets/{asset.uid}/versions/new/").status_code
        want[(kind, "view")] = want[(kind, "download")] = expected_view(role, kind)
        want[(kind, "edit")] = expected_edit(role, kind)
        want[(kind, "new_version")] = 200 if expected_new_version(role, kind) == 201 else expected_new_version(role,
                                                                                                             kind)
    assert got == want


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_what_detail_allows(role, world, api):
    """The list is filtered in SQL by the same authority: it holds every asset the detail view shows, no more."""
    client = api[role]
    body = client.get("/api/v1/assets/?page_size=200").json()
    listed = {item["uid"] for item in body["results"]}
    everything = [asset for objects in world.values() for asset in objects.values()]
    viewable = {str(a.uid) for a in everything if client.get(f"/api/v1/assets/{a.uid}/").status_code == 200}
    assert listed == viewable
    assert body["count"] == len(viewable)
    mine = {str(world[role][k].uid) for k in KINDS
            if expected_view(role, k) == 200 and (role, k) != ("outsider", "own_draft")}
    assert {str(a.uid) for a in world[role].values()} & viewable == mine


@pytest.mark.parametrize("role,can_upload", [("admin", True), ("editor", True), ("contributor", True),
                                             ("librarian", False), ("brand_manager", False), ("viewer", False),
                                             ("outsider", False)])
def test_upload_by_role(role, can_upload, api, web, people):
    response = api[role].post("/api/v1/assets/", {"file": _upload(), "title": "x"}, format="multipart")
    assert response.status_code == (201 if can_upload else 403), response.content
    assert web(role).get("/assets/upload/").status_code == (200 if can_upload else 403)


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("new.png", png_bytes(), content_type="image/png")


@pytest.mark.parametrize("listed", [True, False], ids=["grants as ids", "grants as subqueries"])
@pytest.mark.parametrize("role", ROLES)
def test_the_visibility_rule_picks_the_same_assets_from_their_search_index_rows(role, listed, world, people,
                                                                               monkeypatch):
    """Search narrows by the authority's rule stated on SearchDocument's copies; it must agree with the assets,
    whether the grants travel as id lists (the usual case) or as subqueries (more than LISTED_IDS of them)."""
    if not listed:
        monkeypatch.setattr(asset_permissions, "LISTED_IDS", 0)
    now = timezone.now()
    user = people[role]
    archived = make_asset(people["admin"], approved=True)
    archive_services.asset_archive(asset=archived, actor=None)
    embargoed = make_asset(people["admin"], approved=True)
    services.asset_update(asset=embargoed, actor=None, changes={"embargo_until": now + timedelta(days=2)})
    expired = make_asset(people["admin"], approved=True)
    services.asset_update(asset=expired, actor=None, changes={"rights_expire_at": now - timedelta(days=2)})
    secret = Collection.objects.get(name="Secret")
    by_user, by_group = make_asset(people["admin"], secret, approved=True), make_asset(people["admin"], secret)
    assign_perm("assets.view_asset", user, by_user)
    for group in user.groups.all():
        assign_perm("assets.view_asset", group, by_group)

    on_assets, on_rows = visibility_q(user), visibility_q(user, asset_ref="asset_id")
    assets = Asset.objects.all() if on_assets is None else Asset.objects.filter(on_assets)
    rows = SearchDocument.objects.all() if on_rows is None else SearchDocument.objects.filter(on_rows)
    assert set(rows.values_list("asset_id", flat=True)) == set(assets.values_list("pk", flat=True))
    assert set(assets.values_list("pk", flat=True)) == set(authority.visible(user, Asset.objects.all())
                                                           .values_list("pk", flat=True))


def test_search_index_rows_follow_moves_and_tags(people, api):
    """The copies are rewritten with the asset: a search finds a moved asset where it went, by its new terms."""
    viewer = people["viewer"]
    target = make_collection("Moved here")
    collection_grant(collection=target, level="view", user=viewer, actor=None)
    asset = make_asset(people["admin"], make_collection("Nobody's"), title="Wandering lighthouse", approved=True)
    assert api["viewer"].get("/api/v1/assets/", {"q": "wandering"}).json()["count"] == 0
    services.asset_update(asset=asset, actor=None, changes={"collection": target})
    row = SearchDocument.objects.get(asset=asset)
    assert row.collection_id == target.pk
    assert api["viewer"].get("/api/v1/assets/", {"q": "wandering"}).json()["count"] == 1
    term = Term.objects.create(vocabulary=Vocabulary.objects.create(uri="https://t.test/", title="T"),
                               uri="https://t.test/beacon", label="Beacon")
    services.asset_update(asset=asset, actor=None, changes={"terms": [term.pk]})
    assert SearchDocument.objects.get(asset=asset).terms == {str(term.pk): 1}
    assert api["viewer"].get("/api/v1/assets/", {"q": "beacon"}).json()["count"] == 1


def test_a_grant_given_during_a_request_counts_in_that_request(people):
    """The granted ids are remembered for a request; a grant (or a new folder) must not wait for the next one."""
    viewer = people["viewer"]
    folder = make_collection("Granted mid-request")
    asset = make_asset(people["admin"], folder, approved=True)
    child = make_collection("Below it", parent=folder)
    below = make_asset(people["admin"], child, approved=True)
    visible = lambda: set(authority.visible(viewer, Asset.objects.all()).values_list("pk", flat=True))  # noqa: E731
    with request_memo.scope():
        assert asset.pk not in visible()
        collection_grant(collection=folder, level="view", user=viewer, actor=None)
        assert {asset.pk, below.pk} <= visible()
        newer = make_asset(people["admin"], make_collection("Newer", parent=folder), approved=True)
        assert newer.pk in visible()
        collection_revoke(collection=folder, level="view", user=viewer, actor=None)
        assert not {asset.pk, below.pk, newer.pk} & visible()
