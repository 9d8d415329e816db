"""Colour search and saved searches (sharing, "new since", notifications)."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from accounts.models import AuditEvent
from assets import colors
from search import selectors as search_selectors
from search import services as search_services
from search.models import AssetColor, SavedSearch
from tests.factories import make_asset


def solid_png(rgb, seed):
    image = Image.new("RGB", (80, 60), rgb)
    image.putpixel((0, 0), (seed, seed, seed))  # distinct bytes per asset
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_lab_conversion_and_families():
    assert colors.rgb_to_lab((255, 255, 255)) == pytest.approx((100.0, 0.0, 0.0), abs=0.1)
    assert colors.rgb_to_lab((0, 0, 0)) == pytest.approx((0.0, 0.0, 0.0), abs=0.1)
    red = colors.rgb_to_lab((255, 0, 0))
    assert red == pytest.approx((53.24, 80.09, 67.20), abs=0.2)
    assert [colors.family_of(c) for c in ((220, 30, 30), (30, 60, 220), (250, 250, 250), (10, 10, 10),
                                          (40, 170, 60))] == ["red", "blue", "white", "black", "green"]
    assert colors.parse_hex("#19f") == (0x11, 0x99, 0xff)
    assert colors.parse_hex("not a colour") is None


def test_dominant_colors_with_shares():
    image = Image.new("RGB", (100, 100), (20, 60, 200))
    image.paste((230, 30, 30), (0, 0, 100, 25))
    found = colors.dominant_colors(image)
    assert [c["family"] for c in found] == ["blue", "red"]
    assert found[0]["share"] == pytest.approx(0.75, abs=0.02)


@pytest.fixture
def coloured(people, django_capture_on_commit_callbacks):
    owner = people["brand_manager"]
    made = {}
    # Renditions (and so colours) are made by the job queued on commit.
    with django_capture_on_commit_callbacks(execute=True):
        for i, (name, rgb) in enumerate([("Red", (230, 20, 20)), ("Scarlet", (250, 40, 30)),
                                         ("Orange", (245, 130, 20)), ("Blue", (20, 60, 220))]):
            made[name] = make_asset(owner, title=name, approved=True, data=solid_png(rgb, i))
    return made


def test_colours_are_extracted_from_the_thumbnail(coloured):
    version = coloured["Red"].current_version
    version.refresh_from_db()
    assert version.dominant_colors[0]["family"] == "red"
    assert AssetColor.objects.filter(asset=coloured["Red"], family="red").exists()


def test_close_to_a_colour_orders_by_cielab_distance(api, coloured):
    body = api["viewer"].get("/api/v1/assets/", {"color": "#ff0000"}).json()
    assert [r["title"] for r in body["results"]] == ["Scarlet", "Red"]
    body = api["viewer"].get("/api/v1/assets/", {"color": "e68214", "ordering": "color"}).json()
    assert [r["title"] for r in body["results"]] == ["Orange"]
    families = {v["value"]: v["count"] for v in api["viewer"].get("/api/v1/assets/").json()["facets"]["color_family"]
                ["values"]}
    assert families["red"] == 2 and families["blue"] == 1
    assert [r["title"] for r in api["viewer"].get("/api/v1/assets/", {"color_family": "blue"}).json()["results"]] \
        == ["Blue"]


def test_bad_colour_finds_nothing_rather_than_everything(api, coloured):
    assert api["viewer"].get("/api/v1/assets/", {"color": "reddish"}).json()["count"] == 0


@pytest.fixture
def team(people):
    group = Group.objects.create(name="Marketing team")
    for name in ("editor", "viewer"):
        people[name].groups.add(group)
    return group


def test_saved_search_shared_with_a_group_runs_as_each_member(people, team, web):
    owner = people["brand_manager"]
    make_asset(owner, title="Harbour from before", approved=True)
    saved = search_services.saved_search_create(actor=people["editor"], name="Harbours", query="q=harbour&page=3",
                                                shared_with=team)
    assert saved.query == "q=harbour"
    assert AuditEvent.objects.filter(verb="assets.saved_search.created", target_id=str(saved.pk)).exists()
    make_asset(owner, title="Harbour approved", approved=True)
    make_asset(owner, title="Harbour draft")
    by_editor = {s.name: s.new_count for s in search_selectors.saved_searches_for(people["editor"])}
    by_viewer = {s.name: s.new_count for s in search_selectors.saved_searches_for(people["viewer"])}
    assert by_editor == {"Harbours": 2}  # the editor sees the draft too
    # The viewer never visited: counted since the search was made, and the draft is not counted.
    assert by_viewer == {"Harbours": 1}
    assert search_selectors.saved_searches_for(people["librarian"]) == []  # not in the group
    page = web("viewer").get(f"/assets/saved/{saved.pk}/")
    assert page.status_code == 302 and page["Location"].endswith("?q=harbour")
    assert {s.name: s.new_count for s in search_selectors.saved_searches_for(people["viewer"])} == {"Harbours": 0}
    assert web("librarian").get(f"/assets/saved/{saved.pk}/").status_code == 404
    assert web("viewer").post(f"/assets/saved/{saved.pk}/delete/").status_code == 403
    listing = web("viewer").get("/assets/saved/")
    assert b"Harbours" in listing.content


def test_sharing_only_with_own_groups(people, team):
    outsiders = Group.objects.create(name="Elsewhere")
    with pytest.raises(ValidationError):
        search_services.saved_search_create(actor=people["editor"], name="Mine", query="q=x", shared_with=outsiders)
    with pytest.raises(ValidationError):
        search_services.saved_search_create(actor=people["editor"], name="  ", query="q=x")


def test_owner_deletes_and_others_may_not(people, team):
    saved = search_services.saved_search_create(actor=people["editor"], name="Boats", query="q=boat",
                                                shared_with=team)
    with pytest.raises(PermissionDenied):
        search_services.saved_search_delete(saved=saved, actor=people["viewer"])
    search_services.saved_search_delete(saved=saved, actor=people["editor"])
    assert not SavedSearch.objects.exists()
    assert AuditEvent.objects.filter(verb="assets.saved_search.deleted").exists()


def test_save_from_the_list_page(web, people):
    client = web("viewer")
    page = client.get("/assets/", {"q": "harbour", "type": "image"})
    assert b"Save this search" in page.content
    response = client.post("/assets/saved/new/", {"name": "Harbour images", "query": "q=harbour&type=image"})
    assert response.status_code == 302
    assert SavedSearch.objects.get(owner=people["viewer"]).query == "q=harbour&type=image"


def test_notification_mails_only_what_the_owner_may_see(people, settings):
    viewer = people["viewer"]
    viewer.email = "viewer@example.org"
    viewer.save(update_fields=["email"])
    search_services.saved_search_create(actor=viewer, name="Harbours", query="q=harbour", notify=True)
    make_asset(people["brand_manager"], title="Harbour new and approved", approved=True)
    make_asset(people["brand_manager"], title="Harbour secret draft")
    assert search_services.saved_searches_notify() == 1
    assert len(mail.outbox) == 1
    assert "Harbour new and approved" in mail.outbox[0].body
    assert "secret" not in mail.outbox[0].body
    assert search_services.saved_searches_notify() == 0  # nothing new since the last notice


def test_the_worker_sends_saved_search_notices_every_hour(people, settings):
    from django_q.models import Schedule

    from search.tasks import saved_searches_notify_task

    schedule = Schedule.objects.get(name="assets-saved-search-notices")
    assert schedule.func == "search.tasks.saved_searches_notify_task" and schedule.schedule_type == Schedule.HOURLY
    settings.DAM_BASE_URL = "https://dam.example.org"
    viewer = people["viewer"]
    viewer.email = "viewer@example.org"
    viewer.save(update_fields=["email"])
    search_services.saved_search_create(actor=viewer, name="Harbours", query="q=harbour", notify=True)
    make_asset(people["brand_manager"], title="Harbour at noon", approved=True)
    assert saved_searches_notify_task() == 1
    assert "https://dam.example.org/" in mail.outbox[0].body
