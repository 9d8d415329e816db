"""Contributors work in bulk on their own drafts: edit selected, and submit selected for review with one note;
what cannot go is listed per asset with a link to fix it, and the note is kept."""
from __future__ import annotations

import pytest

from assets.models import Asset, ReviewState
from taxonomy.models import MetadataField
from tests.factories import make_asset, upload_as
from workflows.models import Review


@pytest.fixture
def drafts(people):
    return [upload_as(people["contributor"], title=f"Beach {n}") for n in (1, 2, 3)]


def _state(asset):
    asset.refresh_from_db()
    return asset.current_version.review_state


def test_the_list_offers_bulk_work_to_contributors_and_editors_not_viewers(web, drafts):
    for name, offered in (("contributor", True), ("editor", True), ("viewer", False)):
        page = web(name).get("/assets/").content.decode()
        assert ("Submit selected for review" in page) is offered, name
        assert ("Import CSV" in page) is offered, name


def test_a_contributor_submits_their_drafts_with_one_note(web, drafts):
    client = web("contributor")
    uids = [str(a.uid) for a in drafts]
    page = client.post("/reviews/submit/", {"uids": uids})
    assert page.status_code == 200 and "Submit 3 for review" in page.content.decode()
    response = client.post("/reviews/submit/", {"uids": uids, "comment": "The beach set.", "confirm": "1",
                                                "next": "/assets/?status=in_review"})
    assert response.status_code == 302 and response["Location"] == "/assets/?status=in_review"
    assert [_state(a) for a in drafts] == [ReviewState.IN_REVIEW] * 3
    assert set(Review.objects.filter(version__asset__in=drafts).values_list("comment", flat=True)) == {"The beach set."}


def test_missing_required_fields_are_listed_per_asset_and_the_note_kept(web, drafts):
    MetadataField.objects.create(key="shoot", label="Shoot code", required=True)
    Asset.objects.filter(pk=drafts[0].pk).update(metadata={"shoot": "B-1"})
    response = web("contributor").post("/reviews/submit/", {"uids": [str(a.uid) for a in drafts],
                                                            "comment": "Please look at the light.", "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert _state(drafts[0]) == ReviewState.IN_REVIEW
    assert [_state(a) for a in drafts[1:]] == [ReviewState.DRAFT] * 2
    for asset in drafts[1:]:
        assert f"/assets/{asset.uid}/edit/#required-fields" in page
    assert "Fill in Shoot code" in page and "Please look at the light." in page and "1 sent for review." in page


def test_others_assets_and_unseen_ones_are_refused_or_left_out(web, people, drafts):
    someone_else = make_asset(people["editor"], title="Not mine")
    page = web("contributor").post("/reviews/submit/", {"uids": [str(drafts[0].uid), str(someone_else.uid),
                                                                 "not-a-uid"]}).content.decode()
    assert "Beach 1" in page
    assert "Not mine" not in page  # a contributor does not see others' drafts: left out, as if never sent
    assert _state(someone_else) == ReviewState.DRAFT


def test_already_in_review_is_said_so(web, drafts):
    client = web("contributor")
    client.post("/reviews/submit/", {"uids": [str(drafts[0].uid)], "confirm": "1"})
    page = client.post("/reviews/submit/", {"uids": [str(drafts[0].uid)]}).content.decode()
    assert "It is already in review." in page


def test_a_contributor_bulk_edits_only_their_own_drafts(web, people, drafts):
    theirs = make_asset(people["editor"], title="Editor's", approved=True)
    MetadataField.objects.create(key="shoot", label="Shoot code", required=True)
    response = web("contributor").post("/assets/bulk/", {
        "uids": [str(drafts[0].uid), str(theirs.uid)], "assets": f"{drafts[0].uid},{theirs.uid}",
        "field_key": "shoot", "field_value": "B-9", "next": "/assets/upload/batches/"})
    assert response.status_code == 302 and response["Location"] == "/assets/upload/batches/"
    drafts[0].refresh_from_db()
    theirs.refresh_from_db()
    assert drafts[0].metadata["shoot"] == "B-9" and "shoot" not in (theirs.metadata or {})


def test_a_refused_submit_on_the_review_page_keeps_the_note(web, drafts):
    MetadataField.objects.create(key="shoot", label="Shoot code", required=True)
    client = web("contributor")
    version = drafts[0].current_version
    client.post(f"/reviews/versions/{version.pk}/submit/", {"comment": "Look at the horizon."})
    page = client.get(f"/reviews/versions/{version.pk}/").content.decode()
    assert "Look at the horizon.</textarea>" in page
    assert f"/assets/{drafts[0].uid}/edit/#required-fields" in page and "Required before review: Shoot code" in page
