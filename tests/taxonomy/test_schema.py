"""The metadata schema: values checked in the service (API and form alike), required fields block submission."""
from __future__ import annotations

import pytest

from assets.selectors import missing_required_fields
from taxonomy import schema, services
from taxonomy.models import MetadataField, TermLabel
from tests.factories import make_asset, make_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(people):
    vocabulary = services.vocabulary_create(uri="https://v.example/places/", title="Places", actor=None)
    services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", "Oslo")], actor=None)
    press = make_collection("Press")

    def field(key, field_type, **kwargs):
        collections = kwargs.pop("collections", [])
        return schema.metadata_field_save(field=None, actor=people["librarian"], data={
            "key": key, "label": key.replace("_", " ").capitalize(), "field_type": field_type,
            "collections": collections, **kwargs})
    return {
        "photographer": field("photographer", "text", required=True),
        "shot_on": field("shot_on", "date"),
        "frames": field("frames", "number"),
        "cleared": field("cleared", "boolean"),
        "source": field("source_url", "url"),
        "orientation": field("orientation", "choice", choices=["landscape", "portrait"]),
        "place": field("place", "term", vocabulary=vocabulary, required=True, asset_types=["image"]),
        "embargo_note": field("press_note", "long_text", required=True, collections=[press]),
        "press": press,
    }


def test_api_validates_values_against_the_schema(api, people, fields):
    asset = make_asset(people["contributor"])
    response = api["contributor"].patch(f"/api/v1/assets/{asset.uid}/", {"metadata": {
        "shot_on": "26/11/2026", "frames": "many", "cleared": "perhaps", "source_url": "ftp://x",
        "orientation": "diagonal", "place": "Bergen"}}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"metadata.shot_on", "metadata.frames", "metadata.cleared",
                                              "metadata.source_url", "metadata.orientation", "metadata.place"}
    response = api["contributor"].patch(f"/api/v1/assets/{asset.uid}/", {"metadata": {
        "shot_on": "2026-11-26", "frames": "12", "cleared": "yes", "source_url": "https://x.example/a",
        "orientation": "portrait", "place": "https://v.example/places/oslo", "free_key": "kept"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["metadata"] == {"shot_on": "2026-11-26", "frames": 12, "cleared": True,
                                           "source_url": "https://x.example/a", "orientation": "portrait",
                                           "place": "https://v.example/places/oslo", "free_key": "kept"}


def test_required_fields_are_missing_until_filled(people, fields, api):
    asset = make_asset(people["contributor"])  # an image in the Library
    assert missing_required_fields(asset) == ["Photographer", "Place"]
    api["contributor"].patch(f"/api/v1/assets/{asset.uid}/", {"metadata": {"photographer": "Ann"}}, format="json")
    asset.refresh_from_db()
    assert missing_required_fields(asset) == ["Place"]
    in_press = make_asset(people["contributor"], collection=make_collection("Releases", parent=fields["press"]))
    assert missing_required_fields(in_press) == ["Photographer", "Place", "Press note"]


def test_edit_form_is_built_from_the_schema_with_errors_beside_fields(web, people, fields):
    asset = make_asset(people["contributor"])
    client = web("contributor")
    page = client.get(f"/assets/{asset.uid}/edit/").content.decode()
    assert 'name="meta__photographer"' in page and 'name="meta__place"' in page
    assert "Required before review." in page
    form = {"title": "T", "collection": asset.collection_id, "revision": asset.revision, "meta__frames": "lots",
            "meta__photographer": "Ann"}
    response = client.post(f"/assets/{asset.uid}/edit/", form)
    assert response.status_code == 400
    assert response.context["form"].errors["meta__frames"] == ["Enter a number."]
    response = client.post(f"/assets/{asset.uid}/edit/", {**form, "meta__frames": "3"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.metadata == {"frames": 3, "photographer": "Ann"}
    detail = client.get(f"/assets/{asset.uid}/").content.decode()
    assert "Needed before this revision can be submitted for review:</strong> Place" in detail


def test_schema_editor_is_for_librarians_and_admins(web, fields):
    for role, status in [("librarian", 200), ("admin", 200), ("editor", 403), ("contributor", 403),
                         ("viewer", 403)]:
        assert web(role).get("/assets/schema/").status_code == status, role
    response = web("librarian").post("/assets/schema/new/", {"key": "shoot_id", "label": "Shoot",
                                                             "field_type": "choice", "choices": "", "order": 1})
    assert response.status_code == 400
    assert response.context["form"].errors["choices"] == ["A choice field needs its choices."]
    response = web("librarian").post("/assets/schema/new/", {"key": "title", "label": "T", "field_type": "text",
                                                             "order": 1})
    assert "built-in asset field" in response.content.decode()
    assert MetadataField.objects.filter(key="photographer").exists()
