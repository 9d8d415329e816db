"""Lightboxes over the API and the services: who sees which lightbox, and no member leaking to a reader who may
not see it; sharing (people, groups, to look or to edit); order and notes; errors; the audit trail."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import AuditEvent
from archive import services as archive_services
from assets import services as asset_services
from assets.services import collection_grant
from distribution import lightbox_services as services
from distribution import lightboxes as selectors
from distribution.models import Lightbox, LightboxItem, LightboxShare
from tests.conftest import PERSONAS
from tests.factories import make_asset, make_collection

ROLES = list(PERSONAS)
SEES_UNAPPROVED = {"admin", "librarian", "brand_manager", "editor"}
KINDS = ["approved", "draft", "archived", "embargoed", "expired", "secret"]
# Which personas may see a member of each kind (the asset rule, and live: archived members are no one's).
SEES = {
    "approved": set(ROLES) - {"outsider"},
    "draft": SEES_UNAPPROVED,
    "archived": set(),
    "embargoed": SEES_UNAPPROVED,
    "expired": SEES_UNAPPROVED,
    "secret": {"admin"},
}


def title_of(kind: str) -> str:
    return f"Lbx-{kind}-member"


@pytest.fixture
def gallery(people):
    """One asset of each kind, owned by the brand manager (the secret one by the admin, in a folder no one was
    granted)."""
    owner, now = people["brand_manager"], timezone.now()
    made = {kind: make_asset(owner, title=title_of(kind), approved=kind != "draft")
            for kind in KINDS if kind != "secret"}
    made["secret"] = make_asset(people["admin"], make_collection("Secret"), title=title_of("secret"), approved=True)
    later, earlier = now + timedelta(days=3), now - timedelta(days=1)
    asset_services.asset_update(asset=made["embargoed"], actor=None, changes={"embargo_until": later})
    asset_services.asset_update(asset=made["expired"], actor=None, changes={"rights_expire_at": earlier})
    return made


@pytest.fixture
def everything(people, gallery):
    """The admin's lightbox of every kind (in KINDS order), shared to look with every other persona by name;
    the archived member was archived after it was added."""
    lightbox = services.lightbox_create(actor=people["admin"], name="Everything",
                                        assets=[gallery[kind].uid for kind in KINDS])
    archive_services.asset_archive(asset=gallery["archived"], actor=None)
    for role in ROLES:
        if role != "admin":
            services.lightbox_share(lightbox=lightbox, actor=people["admin"], username=role)
    return lightbox


# --- what a reader sees of the members --------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_api_shows_every_member_but_only_the_titles_the_reader_may_see(role, api, gallery, everything):
    body = api[role].get(f"/api/v1/lightboxes/{everything.pk}/").json()
    assert body["assets"] == [str(gallery[k].uid) for k in KINDS]
    assert [item["position"] for item in body["items"]] == list(range(len(KINDS)))
    for kind, item in zip(KINDS, body["items"], strict=True):
        assert item["available"] is (role in SEES[kind]), kind
        assert ("title" in item) is (role in SEES[kind]), kind
    for kind in KINDS:
        assert (title_of(kind) in str(body)) is (role in SEES[kind]), kind
    listed = api[role].get("/api/v1/lightboxes/").json()
    mine = next(lb for lb in listed["results"] if lb["id"] == everything.pk)
    assert mine["items"] == body["items"]


@pytest.mark.parametrize("role", ROLES)
def test_page_shows_not_available_instead_of_what_the_reader_may_not_see(role, web, gallery, everything):
    page = web(role).get(f"/lightboxes/{everything.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for kind in KINDS:
        asset = gallery[kind]
        if role in SEES[kind]:
            assert title_of(kind) in html and f"/assets/{asset.uid}/" in html, kind
        else:  # neither its title, nor its thumbnail, nor a link: not even its uid
            assert title_of(kind) not in html and str(asset.uid) not in html, kind
    hidden = sum(1 for kind in KINDS if role not in SEES[kind])
    assert html.count('<span class="tile-title muted">Not available to you</span>') == hidden


@pytest.mark.parametrize("role", ROLES)
def test_members_visible_to_is_the_readers_assets_in_order(role, people, gallery, everything):
    members = selectors.members_visible_to(people[role], everything)
    assert [a.pk for a in members] == [gallery[k].pk for k in KINDS if role in SEES[k]]


def test_a_member_that_stops_being_usable_becomes_unavailable(api, people, gallery):
    asset = gallery["approved"]
    lightbox = services.lightbox_create(actor=people["viewer"], name="Mine", assets=[asset.uid])
    assert api["viewer"].get(f"/api/v1/lightboxes/{lightbox.pk}/").json()["items"][0]["title"] == asset.title
    asset_services.asset_update(asset=asset, actor=None, changes={"rights_expire_at": timezone.now()})
    item = api["viewer"].get(f"/api/v1/lightboxes/{lightbox.pk}/").json()["items"][0]
    assert item["available"] is False and "title" not in item
    assert selectors.members_visible_to(people["viewer"], lightbox) == []


# --- who lists and opens which lightbox ------------------------------------------------------------------

def test_a_person_lists_their_own_and_those_shared_with_them_admins_every_one(api, people, gallery):
    editors_box = services.lightbox_create(actor=people["editor"], name="Editor's")
    services.lightbox_create(actor=people["librarian"], name="Librarian's")
    services.lightbox_share(lightbox=editors_box, actor=people["editor"], username="viewer")
    team = Group.objects.create(name="Campaign team")
    people["contributor"].groups.add(team)
    services.lightbox_share(lightbox=editors_box, actor=people["editor"], group="Campaign team")

    def names(role: str) -> set[str]:
        return {lb["name"] for lb in api[role].get("/api/v1/lightboxes/").json()["results"]}

    assert names("editor") == {"Editor's"}
    assert names("viewer") == {"Editor's"}  # shared by name
    assert names("contributor") == {"Editor's"}  # shared through a group
    assert names("librarian") == {"Librarian's"}
    assert names("brand_manager") == set() and names("outsider") == set()
    assert names("admin") == {"Editor's", "Librarian's"}
    assert api["brand_manager"].get(f"/api/v1/lightboxes/{editors_box.pk}/").status_code == 404
    assert api["contributor"].get(f"/api/v1/lightboxes/{editors_box.pk}/").status_code == 200
    people["contributor"].groups.remove(team)
    assert api["contributor"].get(f"/api/v1/lightboxes/{editors_box.pk}/").status_code == 404


def test_a_view_share_looks_an_edit_share_changes_members_but_never_renames_deletes_or_shares(api, people, gallery):
    first, second = gallery["approved"], make_asset(people["brand_manager"], approved=True, title="Second")
    lightbox = services.lightbox_create(actor=people["editor"], name="Launch", assets=[first.uid])
    services.lightbox_share(lightbox=lightbox, actor=people["editor"], username="viewer")
    services.lightbox_share(lightbox=lightbox, actor=people["editor"], group="Librarian", can_edit=True)
    url = f"/api/v1/lightboxes/{lightbox.pk}/"

    looker = api["viewer"]
    assert looker.get(url).status_code == 200
    assert looker.post(url + "assets/", {"assets": [str(second.uid)]}, format="json").status_code == 403
    assert looker.patch(url, {"assets": []}, format="json").status_code == 403
    assert looker.patch(url + f"assets/{first.uid}/", {"note": "mine"}, format="json").status_code == 403
    assert looker.delete(url).status_code == 403

    editor = api["librarian"]  # through the Librarian group's share
    assert editor.post(url + "assets/", {"assets": [str(second.uid)]}, format="json").status_code == 200
    assert editor.patch(url + f"assets/{second.uid}/", {"note": "Hero", "position": 0}, format="json").json()[
        "assets"] == [str(second.uid), str(first.uid)]
    assert editor.delete(url + "assets/", {"assets": [str(first.uid)]}, format="json").json()["assets"] == [
        str(second.uid)]
    assert editor.patch(url, {"name": "Mine now"}, format="json").status_code == 403
    assert editor.patch(url, {"shared_with": {"users": ["contributor"]}}, format="json").status_code == 403
    assert editor.delete(url).status_code == 403
    lightbox.refresh_from_db()
    assert lightbox.name == "Launch" and lightbox.shares.count() == 2

    assert api["brand_manager"].delete(url).status_code == 404  # a stranger: not even told it exists
    assert api["admin"].patch(url, {"name": "Renamed by an admin"}, format="json").status_code == 200
    assert api["editor"].delete(url).status_code == 204
    assert not Lightbox.objects.exists() and not LightboxItem.objects.exists()


# --- order and notes ----------------------------------------------------------------------------------------

def test_adding_appends_once_and_keeps_notes_moving_and_replacing_reorder(api, people):
    a, b, c = (make_asset(people["brand_manager"], approved=True, title=t) for t in "ABC")
    client = api["viewer"]
    created = client.post("/api/v1/lightboxes/", {"name": "Order", "assets": [str(a.uid)]}, format="json")
    assert created.status_code == 201
    url = f"/api/v1/lightboxes/{created.json()['id']}/"
    body = client.post(url + "assets/", {"assets": [str(b.uid), str(a.uid), str(c.uid)], "note": "new ones"},
                       format="json").json()
    assert body["assets"] == [str(a.uid), str(b.uid), str(c.uid)]
    assert [i["note"] for i in body["items"]] == ["", "new ones", "new ones"]  # a was there: its note kept
    again = client.post(url + "assets/", {"assets": [str(c.uid)], "note": "other"}, format="json").json()
    assert again == body | {"updated_at": again["updated_at"]}  # idempotent

    moved = client.patch(url + f"assets/{c.uid}/", {"position": 0, "note": "Cover"}, format="json").json()
    assert moved["assets"] == [str(c.uid), str(a.uid), str(b.uid)] and moved["items"][0]["note"] == "Cover"
    last = client.patch(url + f"assets/{c.uid}/", {"position": 99}, format="json").json()
    assert last["assets"] == [str(a.uid), str(b.uid), str(c.uid)]

    replaced = client.patch(url, {"assets": [str(b.uid), str(a.uid)]}, format="json").json()
    assert replaced["assets"] == [str(b.uid), str(a.uid)]
    assert [i["position"] for i in replaced["items"]] == [0, 1]
    assert [i["note"] for i in replaced["items"]] == ["new ones", ""]  # members that stay keep their notes


def test_replacing_keeps_the_members_the_editor_may_not_see_in_their_places(api, people, gallery):
    draft, a, b = gallery["draft"], gallery["approved"], make_asset(people["brand_manager"], approved=True)
    lightbox = services.lightbox_create(actor=people["editor"], name="Mixed", assets=[a.uid, draft.uid, b.uid])
    services.lightbox_share(lightbox=lightbox, actor=people["editor"], username="viewer", can_edit=True)
    body = api["viewer"].patch(f"/api/v1/lightboxes/{lightbox.pk}/", {"assets": [str(b.uid)]}, format="json").json()
    assert body["assets"] == [str(b.uid), str(draft.uid)]  # a removed, b first, the draft kept (at most 2nd)
    assert [i["available"] for i in body["items"]] == [True, False]
    assert api["editor"].get(f"/api/v1/lightboxes/{lightbox.pk}/").json()["items"][1]["title"] == draft.title


def test_notes_and_positions_are_checked(api, people, gallery):
    lightbox = services.lightbox_create(actor=people["viewer"], name="Notes", assets=[gallery["approved"].uid])
    url = f"/api/v1/lightboxes/{lightbox.pk}/assets/"
    too_long = api["viewer"].patch(url + f"{gallery['approved'].uid}/", {"note": "x" * 2001}, format="json")
    assert too_long.status_code == 400 and "note" in too_long.json()["errors"]
    negative = api["viewer"].patch(url + f"{gallery['approved'].uid}/", {"position": -1}, format="json")
    assert negative.status_code == 400 and "position" in negative.json()["errors"]
    assert api["viewer"].patch(url + f"{gallery['draft'].uid}/", {"note": "x"}, format="json").status_code == 404


# --- errors -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["draft", "secret", "archived", "embargoed", "expired", "unknown"])
def test_an_asset_the_person_may_not_see_cannot_be_added_nor_told_apart_from_none(kind, api, people, gallery):
    if kind == "archived":
        archive_services.asset_archive(asset=gallery["archived"], actor=None)
    uid = "00000000-0000-4000-8000-000000000000" if kind == "unknown" else str(gallery[kind].uid)
    client = api["viewer"]
    created = client.post("/api/v1/lightboxes/", {"name": "Try", "assets": [str(gallery["approved"].uid), uid]},
                          format="json")
    assert created.status_code == 400
    assert created.json() == {"detail": "Some of these assets do not exist or are not available to you.",
                              "errors": {"assets": ["Some of these assets do not exist or are not available to you."]}}
    assert not Lightbox.objects.exists()
    lightbox = services.lightbox_create(actor=people["viewer"], name="Mine")
    added = client.post(f"/api/v1/lightboxes/{lightbox.pk}/assets/", {"assets": [uid]}, format="json")
    assert added.status_code == 400 and added.json()["errors"]["assets"]
    assert not lightbox.items.exists()


def test_api_errors(api, people):
    client = api["editor"]
    assert client.post("/api/v1/lightboxes/", {"name": ""}, format="json").json()["errors"]["name"]
    assert client.post("/api/v1/lightboxes/", {"name": "x", "assets": ["not-a-uid"]},
                       format="json").json()["errors"]["assets"]
    unknown = client.post("/api/v1/lightboxes/", {"name": "x", "shared_with": {"users": ["nobody"]}}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"] == {"shared_with": ["No such person: nobody."]}
    no_group = client.post("/api/v1/lightboxes/", {"name": "x", "shared_with": {"groups": ["Nope"]}}, format="json")
    assert no_group.json()["errors"] == {"shared_with": ["No such group: Nope."]}
    own = client.post("/api/v1/lightboxes/", {"name": "x", "shared_with": {"users": ["editor"]}}, format="json")
    assert own.status_code == 400 and "owns this lightbox" in own.json()["detail"]
    assert not Lightbox.objects.exists()
    missing = client.get("/api/v1/lightboxes/999999/")
    assert missing.status_code == 404 and missing.json()["detail"]
    assert client.patch("/api/v1/lightboxes/999999/", {"name": "x"}, format="json").status_code == 404
    assert client.post("/api/v1/lightboxes/999999/assets/", {"assets": []}, format="json").status_code == 404
    empty = services.lightbox_create(actor=people["editor"], name="Empty")
    assert client.post(f"/api/v1/lightboxes/{empty.pk}/assets/", {"assets": []}, format="json").status_code == 400


def test_api_create_read_update_delete_with_sharing(api, people, gallery):
    client = api["editor"]
    uids = [str(gallery["approved"].uid), str(gallery["draft"].uid)]
    body = client.post("/api/v1/lightboxes/", {
        "name": "Spring", "description": "For the spring campaign", "assets": uids,
        "shared_with": {"users": ["viewer"], "groups": ["Brand manager"], "can_edit": True}}, format="json").json()
    assert body["name"] == "Spring" and body["owner"] == "editor" and body["assets"] == uids
    assert body["shared_with"] == {"users": ["viewer"], "groups": ["Brand manager"], "can_edit": True}
    assert {(s["user"], s["group"], s["can_edit"]) for s in body["shares"]} == {
        ("viewer", None, True), (None, "Brand manager", True)}
    assert set(body) == {"id", "name", "description", "owner", "assets", "shared_with", "shares", "items",
                         "created_at", "updated_at"}
    assert body["items"][1] == {"uid": uids[1], "position": 1, "note": "", "available": True,
                                "title": gallery["draft"].title}
    assert api["viewer"].get(f"/api/v1/lightboxes/{body['id']}/").json()["items"][1] == {
        "uid": uids[1], "position": 1, "note": "", "available": False}

    url = f"/api/v1/lightboxes/{body['id']}/"
    patched = client.patch(url, {"name": "Spring 2027", "shared_with": {"users": ["contributor"]}}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["shared_with"] == {"users": ["contributor"], "groups": [], "can_edit": False}
    assert api["viewer"].get(url).status_code == 404 and api["contributor"].get(url).status_code == 200
    listing = client.get("/api/v1/lightboxes/").json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "Spring 2027" and "next" in listing
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    verbs = list(AuditEvent.objects.filter(verb__startswith="distribution.lightbox.").order_by("pk")
                 .values_list("verb", flat=True))
    assert verbs == ["distribution.lightbox.created", "distribution.lightbox.updated",
                     "distribution.lightbox.deleted"]


def test_every_change_is_audited_once(people, gallery):
    admin, a = people["admin"], gallery["approved"]
    lightbox = services.lightbox_create(actor=admin, name="Audited")
    services.lightbox_add_assets(lightbox=lightbox, actor=admin, assets=[a.uid])
    services.lightbox_add_assets(lightbox=lightbox, actor=admin, assets=[a.uid])  # nothing new: nothing recorded
    services.lightbox_item_update(item=lightbox.items.get(), actor=admin, note="Hi")
    share = services.lightbox_share(lightbox=lightbox, actor=admin, username="viewer")
    services.lightbox_unshare(share=share, actor=admin)
    services.lightbox_update(lightbox=lightbox, actor=admin, name="Audited 2", assets=[])
    services.lightbox_remove_assets(lightbox=lightbox, actor=admin, assets=[a.uid])  # already out
    services.lightbox_delete(lightbox=lightbox, actor=admin)
    events = AuditEvent.objects.filter(verb__startswith="distribution.lightbox.").order_by("pk")
    assert [e.verb.rsplit(".", 1)[1] for e in events] == [
        "created", "assets_added", "item_updated", "shared", "unshared", "updated", "deleted"]
    assert all(e.actor == admin and e.target_id == str(lightbox.pk) for e in events)
    assert events.get(verb="distribution.lightbox.updated").data["assets"]["removed"] == [str(a.uid)]


def test_shares_are_one_person_or_one_group(people):
    lightbox = services.lightbox_create(actor=people["editor"], name="Shares")
    services.lightbox_share(lightbox=lightbox, actor=people["editor"], username="viewer")
    services.lightbox_share(lightbox=lightbox, actor=people["editor"], username="viewer", can_edit=True)
    assert list(LightboxShare.objects.values_list("user__username", "can_edit")) == [("viewer", True)]
    with pytest.raises(Exception, match="one person or one group"):
        services.lightbox_share(lightbox=lightbox, actor=people["editor"], username="viewer", group="Editor")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        LightboxShare.objects.create(lightbox=lightbox)


def test_members_of_a_deleted_asset_leave_no_gap(api, people):
    a, b, c = (make_asset(people["brand_manager"], approved=True) for _ in range(3))
    lightbox = services.lightbox_create(actor=people["viewer"], name="Gaps", assets=[a.uid, b.uid, c.uid])
    b.delete()
    body = api["viewer"].get(f"/api/v1/lightboxes/{lightbox.pk}/").json()
    assert [i["position"] for i in body["items"]] == [0, 1]
    d = make_asset(people["brand_manager"], approved=True)
    services.lightbox_add_assets(lightbox=lightbox, actor=people["viewer"], assets=[d.uid])
    assert list(lightbox.items.values_list("position", flat=True)) == [0, 1, 2]
    assert [str(x.uid) for x in selectors.members_visible_to(people["viewer"], lightbox)] == [
        str(a.uid), str(c.uid), str(d.uid)]


def test_the_list_costs_the_same_queries_whatever_it_holds(api, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    open_folder = make_collection("Open")
    collection_grant(collection=open_folder, level="view", user=people["viewer"], actor=None)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api["viewer"].get("/api/v1/lightboxes/").status_code == 200
        return len(captured)

    asset = make_asset(people["brand_manager"], open_folder, approved=True)
    first = services.lightbox_create(actor=people["viewer"], name="One", assets=[asset.uid])
    services.lightbox_share(lightbox=first, actor=people["viewer"], username="editor")
    few = queries()
    for n in range(5):
        lightbox = services.lightbox_create(actor=people["viewer"], name=f"More {n}", assets=[asset.uid])
        services.lightbox_share(lightbox=lightbox, actor=people["viewer"], username="editor")
    assert queries() == few


def test_the_schema_documents_the_endpoints(api):
    schema = api["viewer"].get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/lightboxes/:", "/api/v1/lightboxes/{id}/:", "/api/v1/lightboxes/{id}/assets/:",
                 "/api/v1/lightboxes/{id}/assets/{uid}/:"):
        assert path in schema, path
    assert "Lightbox:" in schema and "shared_with" in schema and "available" in schema
