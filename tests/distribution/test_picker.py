"""The picker: a page other web applications open to let a person choose approved assets, which it posts back
to the one origin an integration allows, with delivery URLs for the chosen preset."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from archive import services as archive_services
from assets import services as asset_services
from assets.models import Asset, Collection
from distribution import integrations, picker
from distribution.models import DownloadEvent, Preset
from tests.factories import make_asset, make_collection, new_revision, png_bytes

ROLES = ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]
CMS = "https://cms.example.net"


@pytest.fixture
def cms(db):
    integration, _ = integrations.integration_create(actor=None, name="Website CMS", allowed_origins=[CMS])
    return integration


@pytest.fixture
def photo(people):
    asset = make_asset(people["editor"], title="Harbour at dawn", approved=True, data=png_bytes(size=(400, 300)))
    Asset.objects.filter(pk=asset.pk).update(description="Fishing boats in the harbour", licence="CC BY 4.0",
                                             rights_holder="Port Photo Agency")
    asset.refresh_from_db()
    return asset


def _page(client, origin=CMS, **params):
    return client.get("/picker/", {"origin": origin, **params})


def _pick(client, uids, preset="web", origin=CMS):
    return client.post("/picker/pick/", json.dumps({"origin": origin, "uids": [str(u) for u in uids],
                                                    "preset": preset}), content_type="application/json")


# --- the page -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dest", ["document", "iframe"])
def test_signing_in_happens_in_a_window_of_its_own(dest, client, cms):
    """The sign-in page may not be framed, and its Cross-Origin-Opener-Policy would cut a popup off from its
    opener: the picker (same URL, query kept) offers it in a new window and reloads once signed in."""
    response = client.get("/picker/", {"origin": CMS, "q": "harbour"}, headers={"Sec-Fetch-Dest": dest})
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == f"frame-ancestors {CMS}"
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert 'href="/accounts/login/?next=%2Fpicker%2Fsigned-in%2F" target="_blank"' in page
    assert "data-origin" not in page  # nothing is posted before signing in


def test_the_window_signed_in_tells_the_picker_and_closes(web, client):
    assert client.get("/picker/signed-in/").status_code == 302  # to sign in, then back here
    response = web("viewer").get("/picker/signed-in/")
    assert response.status_code == 200
    assert b"data-close-window" in response.content


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_may_open_the_picker(role, web, cms, photo):
    response = _page(web(role))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == f"frame-ancestors {CMS}"
    assert "X-Frame-Options" not in response  # an allowed origin may frame it
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"  # and keep hold of it as a popup
    assert f'data-origin="{CMS}"'.encode() in response.content
    # Those who see the library see the approved asset; the outsider (no role, no grant) sees nothing.
    assert (str(photo.uid).encode() in response.content) == (role != "outsider")


def test_only_approved_live_publishable_assets_are_offered(web, people, cms, photo):
    draft = make_asset(people["editor"], title="Harbour draft")
    archived = make_asset(people["editor"], title="Harbour archived", approved=True)
    archive_services.asset_archive(asset=archived, actor=None)
    embargoed = make_asset(people["editor"], title="Harbour embargoed", approved=True)
    Asset.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now() + timedelta(days=3))
    expired = make_asset(people["editor"], title="Harbour expired", approved=True)
    Asset.objects.filter(pk=expired.pk).update(rights_expire_at=timezone.now() - timedelta(days=1))
    for role in ("viewer", "editor", "admin"):  # editors and admins see drafts elsewhere, not here
        page = _page(web(role), q="harbour").content.decode()
        assert str(photo.uid) in page
        for hidden in (draft, archived, embargoed, expired):
            assert str(hidden.uid) not in page, (role, hidden.title)


def test_thumbnails_are_of_the_approved_version(web, people, cms, photo):
    asset_services.renditions_generate(version_id=photo.approved_version_id)
    revision = new_revision(photo, people["editor"])  # a draft v2: editors see it elsewhere, not here
    asset_services.renditions_generate(version_id=revision.pk)
    for role in ("viewer", "editor"):
        page = _page(web(role)).content.decode()
        assert f'<img src="/assets/{photo.uid}/v1/thumb.jpg"' in page
        assert f"/assets/{photo.uid}/v2/" not in page


def test_the_full_search_runs_with_its_facets_kept_in_the_picker(web, people, cms, photo):
    make_asset(people["editor"], title="Mountain lake", approved=True)
    page = _page(web("viewer"), q="harbour").content.decode()
    assert str(photo.uid) in page and "Mountain lake" not in page
    assert "1 published asset" in page
    links = re.findall(r'href="([^"]+)"', page)
    facet_links = [link for link in links if "type=" in link or "collection=" in link]
    assert facet_links
    for link in facet_links:
        link = link.replace("&amp;", "&")
        assert link.startswith("/picker/?"), link
        assert parse_qs(urlsplit(link).query)["origin"] == [CMS]
    assert 'href="/assets/?' not in page
    assert "Review state" not in page  # everything here is approved; that facet would say nothing


def test_presets_offered_are_the_unrestricted_ones(web, cms, photo):
    Preset.objects.create(name="press-only", label="Press only", restricted=True)
    page = _page(web("editor")).content.decode()
    assert 'value="web" selected' in page
    assert 'value="original"' in page
    assert "press-only" not in page


@pytest.mark.parametrize("origin", ["https://evil.example.com", "", "not an origin", "https://cms.example.net/page"])
def test_a_site_not_allowed_gets_a_sentence_and_no_messages(origin, web, cms, photo):
    response = _page(web("viewer"), origin=origin)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not allowed to use the picker" in page
    assert "Settings → Integrations" in page
    assert "data-origin" not in page and str(photo.uid) not in page
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_site_not_allowed_is_told_so_before_signing_in(client, cms):
    response = _page(client, origin="https://evil.example.com")
    assert response.status_code == 200
    assert "is not allowed to use the picker" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


def test_a_revoked_integration_allows_nothing(web, cms, photo):
    integrations.integration_revoke(integration=cms, actor=None)
    response = _page(web("viewer"))
    assert "is not allowed to use the picker" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert _pick(web("viewer"), [photo.uid]).status_code == 403


def test_origins_are_matched_as_browsers_write_them(web, cms, photo):
    response = _page(web("viewer"), origin="HTTPS://CMS.Example.NET/")
    assert response["Content-Security-Policy"] == f"frame-ancestors {CMS}"
    assert f'data-origin="{CMS}"'.encode() in response.content


def test_the_page_loads_its_script_from_the_dam(web, cms):
    page = _page(web("viewer")).content.decode()
    assert re.search(r'<script src="/static/js/picker[.\w]*\.js" defer>', page)
    assert "http://" not in re.sub(r'(data-origin|value)="[^"]*"', "", page).replace("http://testserver", "")


# --- what is handed over ---------------------------------------------------------------------

def test_the_payload_of_a_pick(web, people, cms, photo):
    Collection.objects.filter(pk=photo.collection_id).update(delivery=Collection.Delivery.PUBLIC)
    response = _pick(web("viewer"), [photo.uid], preset="thumbnail")
    assert response.status_code == 200
    assert response.json() == {"type": "dam:picked", "assets": [{
        "uid": str(photo.uid), "title": "Harbour at dawn", "alt": "Fishing boats in the harbour",
        "credit": "Port Photo Agency", "licence": "CC BY 4.0", "regions": [], "channels": [],
        "width": 400, "height": 300,
        "url": f"http://testserver/d/{photo.uid}/thumbnail/harbour-at-dawn.jpg", "preset": "thumbnail"}]}


def test_a_signed_collection_hands_over_signed_urls(web, cms, photo):
    assert photo.collection.delivery == Collection.Delivery.SIGNED  # the default
    url = _pick(web("viewer"), [photo.uid], preset="web").json()["assets"][0]["url"]
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"http://testserver/d/{photo.uid}/web/harbour-at-dawn.jpg?")
    assert set(query) == {"exp", "sig"}


def test_the_delivery_url_answers(web, cms, photo, client):
    asset_services.renditions_generate(version_id=photo.approved_version_id)
    url = _pick(web("viewer"), [photo.uid], preset="web").json()["assets"][0]["url"]
    client.logout()
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_alt_text_and_credit_come_from_the_schema_fields_first(web, cms, photo):
    Asset.objects.filter(pk=photo.pk).update(metadata={"alt_text": "Three blue boats at a quay", "credit": "A. Diver"})
    picked = _pick(web("viewer"), [photo.uid]).json()["assets"][0]
    assert (picked["alt"], picked["credit"]) == ("Three blue boats at a quay", "A. Diver")
    Asset.objects.filter(pk=photo.pk).update(metadata={}, description="")
    assert _pick(web("viewer"), [photo.uid]).json()["assets"][0]["alt"] == "Harbour at dawn"


def test_several_assets_keep_the_order_they_were_chosen_in(web, people, cms, photo):
    other = make_asset(people["editor"], title="Lighthouse", approved=True)
    picked = _pick(web("viewer"), [other.uid, photo.uid, other.uid], preset="original").json()["assets"]
    assert [p["uid"] for p in picked] == [str(other.uid), str(photo.uid)]
    assert all(p["preset"] == "original" for p in picked)
    assert picked[1]["url"].split("?")[0].endswith("/original/harbour-at-dawn.png")
    assert (picked[1]["width"], picked[1]["height"]) == (400, 300)


def test_a_pick_is_audited_and_not_counted_as_a_download(web, people, cms, photo):
    _pick(web("viewer"), [photo.uid], preset="web")
    event = AuditEvent.objects.get(verb="distribution.picker.picked")
    assert event.actor == people["viewer"]
    assert event.data["uids"] == [str(photo.uid)]
    assert event.data["preset"] == "web"
    assert event.data["integration"] == "Website CMS"
    assert event.data["origin"] == CMS
    assert not DownloadEvent.objects.exists()
    photo.refresh_from_db()
    assert photo.download_count == 0


@pytest.mark.parametrize("role", ROLES)
def test_who_may_pick(role, web, cms, photo):
    response = _pick(web(role), [photo.uid])
    assert response.status_code == (404 if role == "outsider" else 200)


def test_what_a_pick_refuses(web, people, cms, photo):
    viewer = web("viewer")
    draft = make_asset(people["editor"], title="Draft")
    Preset.objects.create(name="press-only", label="Press only", restricted=True)
    cases = [
        (_pick(viewer, [photo.uid], origin="https://evil.example.com"), 403, "origin"),
        (_pick(viewer, [draft.uid]), 404, "uids"),
        (_pick(viewer, []), 400, "uids"),
        (_pick(viewer, ["not-a-uid"]), 400, "uids"),
        (_pick(viewer, [photo.uid] * 2 + [make_asset(None).uid for _ in range(picker.MAX_PICKED)]), 400, "uids"),
        (_pick(viewer, [photo.uid], preset="nonesuch"), 400, "preset"),
        (_pick(web("editor"), [photo.uid], preset="press-only"), 400, "preset"),  # restricted: never delivered
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.content
        body = response.json()
        assert body["detail"] and field in body["errors"]
    assert viewer.post("/picker/pick/", "[1]", content_type="application/json").status_code == 400
    assert not AuditEvent.objects.filter(verb="distribution.picker.picked").exists()


def test_a_document_cannot_be_had_as_a_picture(web, people, cms):
    doc = make_asset(people["editor"], title="Price list", approved=True, data=b"plain words\n" * 20,
                     filename="prices.txt")
    response = _pick(web("viewer"), [doc.uid], preset="web")
    assert response.status_code == 400
    assert "Choose the original" in response.json()["detail"]
    assert _pick(web("viewer"), [doc.uid], preset="original").status_code == 200


def test_a_pick_needs_a_session_and_the_csrf_token(client, people, cms, photo):
    assert _pick(client, [photo.uid]).status_code == 401
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["viewer"])
    assert _pick(strict, [photo.uid]).status_code == 403
    page = strict.get("/picker/", {"origin": CMS}).content.decode()
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    response = strict.post("/picker/pick/", json.dumps({"origin": CMS, "uids": [str(photo.uid)], "preset": "web"}),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_assets_in_folders_one_cannot_see_are_not_picked(web, people, cms):
    secret = make_collection("Board only")
    hidden = make_asset(people["editor"], secret, title="Hidden", approved=True)
    assert _pick(web("viewer"), [hidden.uid]).status_code == 404
    assert str(hidden.uid) not in _page(web("viewer")).content.decode()


# --- sizes -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "recipe", "expected"), [
    ((4000, 3000), {"max_width": 2048, "max_height": 2048}, (2048, 1536)),
    ((3000, 4000), {"max_width": 2048, "max_height": 2048}, (1536, 2048)),
    ((800, 600), {"max_width": 2048, "max_height": 2048}, (800, 600)),  # never enlarged
    ((4000, 3000), {"max_width": 1000}, (1000, 750)),
    ((4000, 3000), {"max_width": 1080, "max_height": 1080, "fit": "cover"}, (1080, 1080)),
    ((800, 600), {"max_width": 1080, "max_height": 1080, "fit": "cover"}, (600, 600)),  # the square it holds
    ((4000, 3000), {"max_width": 1200, "max_height": 630, "fit": "cover"}, (1200, 630)),
    ((4000, 3000), {"format": "original"}, (4000, 3000)),
])
def test_output_sizes(size, recipe, expected, photo):
    version = photo.approved_version
    version.width, version.height = size
    assert picker.output_size(version, Preset(name="x", **recipe)) == expected


def test_the_documented_payload_is_the_one_sent(web, cms, photo):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "picker.md").read_text()
    example = json.loads(re.search(r"```json\n(.*?)```", docs, re.S).group(1))
    sent = _pick(web("viewer"), [photo.uid]).json()
    assert set(example) == set(sent) and example["type"] == sent["type"]
    assert list(example["assets"][0]) == list(sent["assets"][0])
    for key in sent["assets"][0]:
        assert re.search(rf"^\| (`\w+`, )*`{key}`", docs, re.M), key  # a row of the fields' table
