"""The folder tree, and grants that flow down it."""
from __future__ import annotations

from django.contrib.auth.models import Group

from accounts import permissions as authority
from accounts.models import AuditEvent
from assets.models import Asset, Collection
from assets.services import collection_grant, collection_revoke
from tests.factories import make_asset, make_collection, make_user


def test_a_grant_flows_down_to_sub_collections_and_assets(people):
    agency = make_collection("Agency")
    campaign = make_collection("Campaign", agency)
    shoot = make_collection("Shoot", campaign)
    deep = make_asset(people["admin"], shoot, approved=True)
    elsewhere = make_asset(people["admin"], make_collection("Elsewhere"), approved=True)
    outsider = people["outsider"]
    assert not authority.visible(outsider, Asset.objects.all()).exists()

    collection_grant(collection=campaign, level="view", user=outsider, actor=people["admin"])
    assert set(authority.visible(outsider, Collection.objects.all())) == {campaign, shoot}
    assert list(authority.visible(outsider, Asset.objects.all())) == [deep]
    assert elsewhere not in authority.visible(outsider, Asset.objects.all())

    collection_revoke(collection=campaign, level="view", user=outsider, actor=people["admin"])
    assert not authority.visible(outsider, Asset.objects.all()).exists()
    verbs = list(AuditEvent.objects.filter(target_id=str(campaign.pk)).values_list("verb", flat=True))
    assert "assets.collection.granted" in verbs and "assets.collection.revoked" in verbs


def test_group_grants_work_like_user_grants(people):
    team = Group.objects.create(name="Agency team")
    member = make_user("agency_person", None)
    member.groups.add(team)
    folder = make_collection("Agency")
    asset = make_asset(people["admin"], folder, approved=True)
    collection_grant(collection=folder, level="view", group=team, actor=None)
    assert list(authority.visible(member, Asset.objects.all())) == [asset]


def test_contribute_grant_lets_a_contributor_upload_there(people, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    folder = make_collection("Restricted")
    post = {"file": SimpleUploadedFile("a.png", png_bytes()), "collection": folder.pk}
    assert api["contributor"].post("/api/v1/assets/", post, format="multipart").status_code == 404  # unseen
    collection_grant(collection=folder, level="view", user=people["contributor"], actor=None)
    post["file"] = SimpleUploadedFile("a.png", png_bytes())
    assert api["contributor"].post("/api/v1/assets/", post, format="multipart").status_code == 403  # seen, no add
    collection_grant(collection=folder, level="contribute", user=people["contributor"], actor=None)
    post["file"] = SimpleUploadedFile("a.png", png_bytes())
    assert api["contributor"].post("/api/v1/assets/", post, format="multipart").status_code == 201


def test_only_admins_create_top_level_collections_and_managers_sub_collections(people, api):
    assert api["editor"].post("/api/v1/collections/", {"name": "Top"}, format="json").status_code == 403
    response = api["admin"].post("/api/v1/collections/", {"name": "Top"}, format="json")
    assert response.status_code == 201
    top = Collection.objects.get(pk=response.json()["id"])
    assert top.path == f"/{top.pk}/"
    child = {"name": "Child", "parent": top.pk}
    assert api["editor"].post("/api/v1/collections/", child, format="json").status_code == 404
    collection_grant(collection=top, level="manage", user=people["editor"], actor=None)
    response = api["editor"].post("/api/v1/collections/", child, format="json")
    assert response.status_code == 201 and response.json()["path"] == f"/{top.pk}/{response.json()['id']}/"
    again = api["editor"].post("/api/v1/collections/", child, format="json")
    assert again.status_code == 400 and "already" in again.json()["errors"]["name"][0]


def test_grants_in_the_ui(people, web):
    folder = make_collection("Press")
    client = web("admin")
    page = client.get(folder.get_absolute_url())
    assert b"Access" in page.content
    client.post(f"/assets/collections/{folder.pk}/grant/", {"level": "view", "user": "viewer"})
    assert folder in authority.visible(people["viewer"], Collection.objects.all())
    page = client.get(folder.get_absolute_url())
    assert b"viewer" in page.content
    # Someone who may see the folder but not manage it gets no access panel and a 403 on the action.
    viewer = web("viewer")
    assert b"Access" not in viewer.get(folder.get_absolute_url()).content
    refused = viewer.post(f"/assets/collections/{folder.pk}/grant/", {"level": "view", "user": "editor"})
    assert refused.status_code == 403


def test_collection_tree_counts_only_visible_assets(people, web):
    make_asset(people["brand_manager"])  # a draft in Library: not visible to the viewer
    make_asset(people["brand_manager"], approved=True)
    page = web("viewer").get("/assets/collections/")
    library = next(c for c in page.context["tree"] if c.name == "Library")
    assert library.asset_count == 1


def test_a_folder_page_says_how_many_it_holds_and_pages_them(web, people, monkeypatch):
    """The reader's own count: a draft they cannot see is neither counted nor shown."""
    from assets import views

    monkeypatch.setattr(views, "FOLDER_PAGE_SIZE", 2)
    folder = make_collection("Shoot")
    for title in ("First", "Second", "Third"):
        make_asset(people["admin"], folder, title=title, approved=True)
    make_asset(people["admin"], folder, title="Unseen draft")
    collection_grant(collection=folder, level="view", user=people["viewer"], actor=None)
    client = web("viewer")
    page = client.get(f"/assets/collections/{folder.pk}/").content.decode()
    assert "3 in this folder" in page and "Page 1 of 2" in page and "Unseen draft" not in page
    later = client.get(f"/assets/collections/{folder.pk}/", {"page": 2}).content.decode()
    shown = [title for title in ("First", "Second", "Third") if f">{title}<" in page]
    assert len(shown) == 2 and sum(f">{title}<" in later for title in ("First", "Second", "Third")) == 1
    assert "Page 2 of 2" in later
