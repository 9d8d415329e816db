"""Lightbox screens: the list, a lightbox's page (order, notes, sharing, rename, delete), and adding assets from
the search selection (grid and table) and from an asset's page."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from distribution import lightbox_services as services
from distribution.models import Lightbox, LightboxShare
from tests.conftest import PERSONAS
from tests.distribution.test_lightboxes import KINDS, SEES, everything, gallery, title_of  # noqa: F401
from tests.factories import make_asset

SHARERS = {"admin", "brand_manager", "editor"}  # may create share links


def uids(lightbox: Lightbox) -> list[str]:
    return [str(uid) for uid in lightbox.items.order_by("position").values_list("asset__uid", flat=True)]


@pytest.mark.parametrize("role", list(PERSONAS))
def test_everyone_keeps_lightboxes(role, web, people):
    client = web(role)
    page = client.get("/lightboxes/")
    assert page.status_code == 200 and b"New lightbox" in page.content
    assert any(item["label"] == "Lightboxes" for item in page.context["nav"])
    made = client.post("/lightboxes/new/", {"name": f"Picks of {role}", "description": "For the fair"})
    lightbox = Lightbox.objects.get(owner=people[role])
    assert made.status_code == 302 and made["Location"] == f"/lightboxes/{lightbox.pk}/"
    detail = client.get(made["Location"])
    assert detail.status_code == 200 and f"Picks of {role}".encode() in detail.content
    link = f'href="/share-links/new/?lightbox={lightbox.pk}"'.encode()
    assert (link in detail.content) is (role in SHARERS)
    assert f"Picks of {role}".encode() in client.get("/lightboxes/").content


def test_the_list_shows_own_and_shared_with_counts(web, people):
    a, b = (make_asset(people["brand_manager"], approved=True) for _ in range(2))
    mine = services.lightbox_create(actor=people["viewer"], name="Viewer own", assets=[a.uid, b.uid])
    theirs = services.lightbox_create(actor=people["editor"], name="From the editor", assets=[a.uid])
    services.lightbox_create(actor=people["editor"], name="Not shared")
    services.lightbox_share(lightbox=theirs, actor=people["editor"], group="Viewer")
    page = web("viewer").get("/lightboxes/")
    html = page.content.decode()
    assert "Viewer own" in html and "From the editor" in html and "Not shared" not in html
    assert "Shared with you" in html
    rows = {lb.name: lb.item_count for lb in page.context["lightboxes"]}
    assert rows == {"Viewer own": 2, "From the editor": 1}
    assert [lb.name for lb in web("viewer").get("/lightboxes/?whose=mine").context["lightboxes"]] == [mine.name]
    assert [lb.name for lb in web("viewer").get("/lightboxes/?whose=shared&q=editor").context["lightboxes"]] == [
        theirs.name]
    assert len(web("admin").get("/lightboxes/").context["lightboxes"]) == 3


def test_add_from_the_search_grid_and_table_selection(web, people):
    a = make_asset(people["brand_manager"], approved=True, title="Lighthouse at dawn")
    b = make_asset(people["brand_manager"], approved=True, title="Harbour crane")
    client = web("viewer")
    grid = client.get("/assets/").content.decode()
    assert 'id="selection"' in grid and f'name="uids" value="{a.uid}" form="selection"' in grid
    assert "Add selected to lightbox" in grid
    table = client.get("/assets/?view=table").content.decode()  # viewers may not bulk-edit, but may gather
    assert f'name="uids" value="{a.uid}"' in table and 'formaction="/lightboxes/add/"' in table
    assert "Edit selected" not in table

    chooser = client.post("/lightboxes/add/", {"uids": [str(b.uid), str(a.uid)]})
    assert chooser.status_code == 200
    assert b"Lighthouse at dawn" in chooser.content and b"2 assets chosen" in chooser.content
    no_name = client.post("/lightboxes/add/", {"uids": [str(b.uid), str(a.uid)], "lightbox": "new", "new_name": ""})
    assert no_name.status_code == 400 and b"Name the new lightbox." in no_name.content
    done = client.post("/lightboxes/add/", {"uids": [str(b.uid), str(a.uid)], "lightbox": "new",
                                            "new_name": "Coast"})
    lightbox = Lightbox.objects.get(name="Coast")
    assert done.status_code == 302 and done["Location"] == lightbox.get_absolute_url()
    assert lightbox.owner == people["viewer"] and uids(lightbox) == [str(b.uid), str(a.uid)]

    c = make_asset(people["brand_manager"], approved=True)
    client.post("/lightboxes/add/", {"uids": [str(c.uid), str(a.uid)], "lightbox": str(lightbox.pk)})
    assert uids(lightbox) == [str(b.uid), str(a.uid), str(c.uid)]
    nothing = client.post("/lightboxes/add/", {"lightbox": str(lightbox.pk)})
    assert nothing.status_code == 400 and b"Choose the assets to add first." in nothing.content


def test_add_from_the_asset_page(web, people):
    asset = make_asset(people["brand_manager"], approved=True, title="Pier")
    theirs = services.lightbox_create(actor=people["editor"], name="Shared box")
    services.lightbox_share(lightbox=theirs, actor=people["editor"], username="viewer", can_edit=True)
    only_look = services.lightbox_create(actor=people["editor"], name="Only to look at")
    services.lightbox_share(lightbox=only_look, actor=people["editor"], username="viewer")
    client = web("viewer")
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Add to lightbox" in page and 'action="/lightboxes/add/"' in page
    assert "Shared box (editor)" in page and "Only to look at" not in page
    back = client.post("/lightboxes/add/", {"uids": [str(asset.uid)], "lightbox": str(theirs.pk),
                                            "next": asset.get_absolute_url()}, follow=True)
    assert back.redirect_chain[-1][0] == asset.get_absolute_url()
    assert "Added 1 asset to “Shared box”." in back.content.decode()
    assert "already in it" in back.content.decode()
    assert uids(theirs) == [str(asset.uid)]
    assert client.post("/lightboxes/add/", {"uids": [str(asset.uid)], "lightbox": str(only_look.pk)}
                       ).status_code == 400  # not one of the choices
    assert not only_look.items.exists()
    outside = client.post("/lightboxes/add/", {"uids": [str(asset.uid)], "lightbox": "new", "new_name": "Away",
                                               "next": "https://evil.example/"})
    assert outside["Location"] == Lightbox.objects.get(name="Away").get_absolute_url()


def test_the_asset_page_offers_no_lightbox_for_an_archived_asset(web, people):
    from archive import services as archive_services

    asset = make_asset(people["brand_manager"], approved=True)
    archive_services.asset_archive(asset=asset, actor=None)
    assert b"Add to lightbox" not in web("admin").get(asset.get_absolute_url()).content


def test_an_asset_the_person_may_not_see_is_not_added(web, people, gallery):  # noqa: F811
    client = web("viewer")
    response = client.post("/lightboxes/add/", {"uids": [str(gallery["draft"].uid)], "lightbox": "new",
                                                "new_name": "Sneaky"})
    assert response.status_code == 400 and not Lightbox.objects.exists()
    assert title_of("draft").encode() not in response.content


def test_reorder_annotate_remove_on_the_page(web, people):
    a, b, c = (make_asset(people["brand_manager"], approved=True, title=f"Shot {n}") for n in "ABC")
    lightbox = services.lightbox_create(actor=people["viewer"], name="Order", assets=[a.uid, b.uid, c.uid])
    client = web("viewer")
    url = lightbox.get_absolute_url()
    items = {i.asset_id: i.pk for i in lightbox.items.all()}
    page = client.get(url).content.decode()
    assert page.index("Shot A") < page.index("Shot B") < page.index("Shot C")
    assert f'action="/lightboxes/{lightbox.pk}/items/{items[c.pk]}/move/"' in page

    client.post(f"{url}items/{items[c.pk]}/move/", {"position": "0"})
    assert uids(lightbox) == [str(c.uid), str(a.uid), str(b.uid)]
    client.post(f"{url}items/{items[c.pk]}/move/", {"position": "1"})
    assert uids(lightbox) == [str(a.uid), str(c.uid), str(b.uid)]

    saved = client.post(f"{url}items/{items[a.pk]}/note/", {"note": "Use for the cover"})
    assert saved.status_code == 302 and saved["Location"].endswith(f"#item-{items[a.pk]}")
    assert "Use for the cover" in client.get(url).content.decode()
    too_long = client.post(f"{url}items/{items[a.pk]}/note/", {"note": "x" * 2001})
    assert too_long.status_code == 400 and b'aria-invalid="true"' in too_long.content

    client.post(f"{url}items/{items[c.pk]}/remove/")
    assert uids(lightbox) == [str(a.uid), str(b.uid)]
    assert client.post(f"{url}items/{items[c.pk]}/remove/").status_code == 404


def test_sharing_on_the_page(web, people):
    lightbox = services.lightbox_create(actor=people["editor"], name="Team")
    url = lightbox.get_absolute_url()
    client = web("editor")
    unknown = client.post(f"{url}shares/", {"user": "nobody", "access": "view"})
    assert unknown.status_code == 400 and b"No such person: nobody." in unknown.content
    neither = client.post(f"{url}shares/", {"user": "", "group": "", "access": "view"})
    assert neither.status_code == 400 and b"Name one person or choose one group." in neither.content
    assert client.post(f"{url}shares/", {"user": "viewer", "access": "edit"}).status_code == 302
    assert client.post(f"{url}shares/", {"group": "Librarian", "access": "view"}).status_code == 302
    assert set(LightboxShare.objects.values_list("user__username", "group__name", "can_edit")) == {
        ("viewer", None, True), (None, "Librarian", False)}

    viewer_page = web("viewer").get(url).content.decode()
    assert "Shared with you by" in viewer_page and "add, remove, reorder" in viewer_page
    assert f'action="/lightboxes/{lightbox.pk}/shares/"' not in viewer_page  # they may not share it further
    assert web("viewer").post(f"{url}shares/", {"user": "contributor", "access": "view"}).status_code == 403
    assert web("viewer").post(f"{url}delete/").status_code == 403
    assert web("contributor").get(url).status_code == 404

    share = LightboxShare.objects.get(group__name="Librarian")
    web("editor").post(f"{url}shares/{share.pk}/remove/")
    assert not LightboxShare.objects.filter(pk=share.pk).exists()


def test_group_share_reaches_the_groups_members(web, people):
    team = Group.objects.create(name="Agency")
    people["outsider"].groups.add(team)
    lightbox = services.lightbox_create(actor=people["brand_manager"], name="For the agency")
    web("brand_manager").post(f"{lightbox.get_absolute_url()}shares/", {"group": "Agency", "access": "view"})
    assert web("outsider").get(lightbox.get_absolute_url()).status_code == 200


def test_rename_and_delete_on_the_page(web, people):
    lightbox = services.lightbox_create(actor=people["contributor"], name="Draft picks")
    url = lightbox.get_absolute_url()
    client = web("contributor")
    blank = client.post(f"{url}edit/", {"name": "", "description": ""})
    assert blank.status_code == 400 and b"This field is required." in blank.content
    assert client.post(f"{url}edit/", {"name": "Final picks", "description": "Chosen"}).status_code == 302
    lightbox.refresh_from_db()
    assert (lightbox.name, lightbox.description) == ("Final picks", "Chosen")
    assert web("editor").post(f"{url}delete/").status_code == 404
    assert web("contributor").post(f"{url}delete/")["Location"] == "/lightboxes/"  # the one client, signed in again
    assert not Lightbox.objects.exists()
