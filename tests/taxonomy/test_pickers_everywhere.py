"""Every form that picks a term uses the autocomplete picker: the schema's term fields and the report filter
too. Without the script a typed label still works; an unknown term is an error beside its field."""
from __future__ import annotations

import re

import pytest

from assets.models import Asset
from taxonomy import schema, services
from taxonomy.models import TermLabel
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

OSLO = "https://v.example/places/oslo"


@pytest.fixture
def place_field(people):
    vocabulary = services.vocabulary_create(uri="https://v.example/places/", title="Places", actor=None)
    oslo = services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", "Oslo")], actor=None)
    schema.metadata_field_save(field=None, actor=people["librarian"], data={
        "key": "place", "label": "Place", "field_type": "term", "vocabulary": vocabulary, "collections": []})
    return oslo


def _no_select(html: str, name: str) -> None:
    assert not re.search(rf'<select[^>]*name="{name}"', html), f"{name} is still a dropdown"


def test_a_schema_term_field_is_a_picker_that_keeps_the_uri(web, people, place_field):
    asset = make_asset(people["contributor"])
    Asset.objects.filter(pk=asset.pk).update(metadata={"place": OSLO})
    client = web("contributor")
    page = client.get(f"/assets/{asset.uid}/edit/").content.decode()
    _no_select(page, "meta__place")
    assert f'data-name="meta__place" data-vocabulary="{place_field.vocabulary_id}"' in page
    assert f'name="meta__place" value="{place_field.pk}"' in page and 'value="Oslo"' in page
    form = {"title": "T", "collection": asset.collection_id, "revision": asset.revision}
    # The script sends the chosen id; without it, the typed label.
    for sent in ({"meta__place": str(place_field.pk)}, {"meta__place": "", "meta__place_text": "oslo"}):
        asset.refresh_from_db()
        response = client.post(f"/assets/{asset.uid}/edit/", {**form, "revision": asset.revision, **sent})
        assert response.status_code == 302, response.context["form"].errors
        asset.refresh_from_db()
        assert asset.metadata == {"place": OSLO}
    response = client.post(f"/assets/{asset.uid}/edit/", {**form, "revision": asset.revision,
                                                           "meta__place_text": "Bergen"})
    assert response.status_code == 400
    assert "No term is called “Bergen”" in response.content.decode()
    response = client.post(f"/assets/{asset.uid}/edit/", {**form, "revision": asset.revision,
                                                           "meta__place": "999999"})
    assert response.context["form"].errors["meta__place"] == ["There is no such term in “Places”."]


def test_the_report_filter_picks_a_term_by_typing(web, place_field):
    client = web("admin")
    page = client.get("/analytics/").content.decode()
    _no_select(page, "term")
    assert 'data-term-picker' in page and 'data-name="term"' in page
    answer = client.get("/analytics/", {"period": "30d", "term": "999999"})
    assert answer.status_code == 400
    assert "There is no such term." in answer.content.decode()
    # Without the script: the typed label, carried on as the term's id in the export links.
    answer = client.get("/analytics/", {"period": "30d", "term": "", "term_text": "Oslo"})
    assert answer.status_code == 200
    assert f"term={place_field.pk}" in answer.content.decode()
    assert 'value="Oslo"' in answer.content.decode()
