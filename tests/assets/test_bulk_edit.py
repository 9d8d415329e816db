"""The bulk editor sets, appends or clears the description, campaign and rights of many assets at once: through
the one service (one history event per asset, all or none), with the assets that cannot take the change listed
with a link, and only on what the person may edit (contributors their own drafts, editors what they see)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from assets import services
from assets.models import Asset
from tests.factories import make_asset, upload_as

WHEN = "2027-03-01T09:30"
MOMENT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def pair(people):
    """Two drafts of the contributor's, each with rights of its own."""
    first, second = (upload_as(people["contributor"], title=title) for title in ("Dunes", "Lighthouse"))
    Asset.objects.filter(pk=first.pk).update(description="Sand at dawn.", campaign="Spring", credit_line="A. Photo",
                                             licence="CC BY 4.0", channels=["web"])
    return [Asset.objects.get(pk=first.pk), Asset.objects.get(pk=second.pk)]


def post(client, assets, **changes):
    data = {"assets": ",".join(str(a.uid) for a in assets), "field_key": "", "next": "/assets/", **changes}
    return client.post("/assets/bulk/", data)


def fresh(assets):
    return [Asset.objects.get(pk=a.pk) for a in assets]


@pytest.mark.parametrize(("name", "typed", "stored"), [
    ("description", "Shot for the harbour series.", "Shot for the harbour series."),
    ("campaign", "Summer 2027", "Summer 2027"),
    ("licence", "Royalty-free", "Royalty-free"),
    ("rights_holder", "Harbour Board", "Harbour Board"),
    ("credit_line", "Photo: Harbour Board", "Photo: Harbour Board"),
    ("usage_terms", "No print runs above 10,000.", "No print runs above 10,000."),
    ("channels", "web, social", ["web", "social"]),
    ("regions", "FR, DE", ["FR", "DE"]),
    ("rights_start", WHEN, MOMENT),
    ("rights_expire_at", WHEN, MOMENT),
    ("embargo_until", WHEN, MOMENT),
])
def test_each_field_is_set_on_every_asset_and_then_cleared(web, pair, name, typed, stored):
    client = web("editor")
    response = post(client, pair, **{f"{name}__do": "set", name: typed})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert [getattr(a, name) for a in fresh(pair)] == [stored, stored]
    events = AuditEvent.objects.filter(verb="assets.asset.bulk_updated")
    assert events.count() == 2 and len({e.data["batch"] for e in events}) == 1
    assert post(client, pair, **{f"{name}__do": "clear"}).status_code == 302
    assert [getattr(a, name) for a in fresh(pair)] == [services.BULK_FIELDS[name]] * 2


def test_the_description_is_appended_to_or_left(web, pair):
    client = web("editor")
    post(client, pair, description__do="append", description="Model release on file.")
    assert [a.description for a in fresh(pair)] == ["Sand at dawn.\n\nModel release on file.",
                                                    "Model release on file."]
    post(client, pair, campaign__do="set", campaign="Autumn")
    after = fresh(pair)
    assert after[0].description == "Sand at dawn.\n\nModel release on file." and after[0].campaign == "Autumn"
    assert after[0].credit_line == "A. Photo" and after[0].licence == "CC BY 4.0"  # left as they were


def test_a_value_without_set_or_set_without_a_value_is_asked_about_beside_the_field(web, pair):
    client = web("editor")
    response = post(client, pair, campaign="Winter", credit_line__do="set")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_campaign_error"' in page and "Choose “Set to”" in page
    assert 'id="id_credit_line_error"' in page and "Give the new value" in page
    assert [a.campaign for a in fresh(pair)] == ["Spring", ""]


def test_a_licence_outside_the_list_is_refused(web, pair):
    response = post(web("editor"), pair, licence__do="set", licence="Whatever I like")
    assert response.status_code == 400 and 'id="id_licence_error"' in response.content.decode()
    assert fresh(pair)[1].licence == ""


def test_an_asset_that_cannot_take_the_change_is_listed_with_a_link_and_nothing_is_written(web, pair):
    Asset.objects.filter(pk=pair[0].pk).update(rights_expire_at=datetime(2027, 1, 1, tzinfo=UTC))
    response = post(web("editor"), pair, rights_start__do="set", rights_start=WHEN,
                    campaign__do="set", campaign="Winter")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed: 1 of the selected assets" in page
    assert f'href="/assets/{pair[0].uid}/edit/"' in page and "The rights must start before they expire." in page
    assert [(a.rights_start, a.campaign) for a in fresh(pair)] == [(None, "Spring"), (None, "")]
    assert not AuditEvent.objects.filter(verb="assets.asset.bulk_updated").exists()


@pytest.mark.parametrize(("who", "own_draft", "others", "approved_own"), [
    ("contributor", True, False, False),
    ("editor", True, True, True),
    ("brand_manager", True, True, True),
    ("librarian", True, True, True),
    ("viewer", False, False, False),
    ("outsider", False, False, False),
])
def test_role_matrix(web, people, who, own_draft, others, approved_own):
    """Contributors change only their own drafts; whoever edits metadata changes what they see."""
    draft = upload_as(people["contributor"], title="Contributor's draft")
    approved = make_asset(people["contributor"], title="Contributor's approved", approved=True)
    theirs = make_asset(people["editor"], title="Editor's draft")
    client = web(who)
    response = post(client, [draft, theirs, approved], campaign__do="set", campaign="Matrix")
    assert response.status_code in (302, 200, 400)
    changed = [a.campaign == "Matrix" for a in fresh([draft, theirs, approved])]
    assert changed == [own_draft, others, approved_own], who


def test_assets_left_out_are_listed_with_links(web, people, pair):
    theirs = make_asset(people["editor"], title="Editor's cover", approved=True)
    page = web("contributor").post("/assets/bulk/", {"uids": [str(pair[0].uid), str(theirs.uid)]}).content.decode()
    assert "Left out (1)" in page and f'href="/assets/{theirs.uid}/"' in page
    assert "Apply to 1 asset" in page


def test_the_service_refuses_fields_it_does_not_edit_in_bulk(people, pair):
    with pytest.raises(ValidationError, match="cannot be edited in bulk"):
        services.assets_bulk_update(assets=pair, actor=people["editor"], fields={"title": "Same for all"})


def test_an_embargo_set_in_bulk_hides_approved_assets_from_viewers_search(web, api, people):
    approved = make_asset(people["editor"], title="Launch teaser", approved=True)
    assert api["viewer"].get("/api/v1/assets/", {"q": "teaser"}).json()["count"] == 1
    assert post(web("editor"), [approved], embargo_until__do="set", embargo_until="2099-01-01T00:00").status_code == 302
    assert api["viewer"].get("/api/v1/assets/", {"q": "teaser"}).json()["count"] == 0
