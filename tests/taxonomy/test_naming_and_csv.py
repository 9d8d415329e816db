"""Naming conventions at ingest and download, and the metadata CSV round trip."""
from __future__ import annotations

import csv
import io

import pytest

from accounts.models import AuditEvent
from assets import metadata_csv
from assets.models import Asset
from taxonomy import naming, schema, services
from taxonomy.models import AssetType, TermLabel
from tests.factories import make_asset, make_collection, png_bytes

pytestmark = pytest.mark.django_db


def test_non_conforming_upload_gets_a_proposed_name_and_downloads_follow_the_rule(web, people, api):
    spring = make_collection("Spring campaign")
    naming.naming_rule_save(pattern="{campaign}_{type}_{date:%Y%m%d}", collection=spring, actor=people["librarian"])
    from assets import services as asset_services
    asset_services.collection_grant(collection=spring, level="contribute", actor=None, user=people["editor"])
    upload = io.BytesIO(png_bytes())
    upload.name = "file.png"
    response = api["editor"].post("/api/v1/assets/", {"file": upload, "collection": spring.pk,
                                                      "campaign": "Spring 26"}, format="multipart")
    assert response.status_code == 201
    advice = response.json()["naming_advice"]
    today = response.json()["created_at"][:10].replace("-", "")
    assert advice.startswith("“file.png” does not follow the naming convention {campaign}_{type}_{date:%Y%m%d}")
    assert f"“spring-26_image_{today}.png”" in advice
    download = api["editor"].get(f"/api/v1/assets/{response.json()['uid']}/download/")
    assert f"spring-26_image_{today}.png" in download["Content-Disposition"]
    client = web("editor")
    page = client.post("/assets/upload/", {"file": _named(f"spring-26_image_{today}.png"), "collection": spring.pk},
                       follow=True).content.decode()
    assert "does not follow" not in page
    page = client.post("/assets/upload/", {"file": _named("IMG_0001.png"), "collection": spring.pk},
                       follow=True).content.decode()
    assert "“IMG_0001.png” does not follow the naming convention" in page


def _named(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def test_a_rule_per_asset_type_applies_when_the_folder_has_none(people):
    naming.naming_rule_save(pattern="{type}-{uid}", asset_type=AssetType.IMAGE, actor=None)
    asset = make_asset(people["editor"], filename="whatever.png")
    assert naming.download_name(asset.current_version) == f"image-{asset.uid.hex[:8]}.png"
    assert AuditEvent.objects.filter(verb="assets.naming.rule_saved").exists()


def test_metadata_csv_round_trip_writes_only_changed_fields(people):
    vocabulary = services.vocabulary_create(uri="https://v.example/c/", title="C", actor=None)
    cats = services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", "Cats")], actor=None)
    schema.metadata_field_save(field=None, actor=None, data={"key": "frames", "label": "Frames",
                                                             "field_type": "number"})
    first, second = make_asset(people["editor"], title="First"), make_asset(people["editor"], title="Second")
    third = make_asset(people["editor"], title="Third")
    text = metadata_csv.export([first, second, third])
    header, *rows = csv.reader(io.StringIO(text))
    assert header[:3] == ["uid", "title", "description"] and header[-2:] == ["terms", "meta.frames"]
    column = {name: i for i, name in enumerate(header)}
    rows[0][column["title"]] = "First renamed"
    rows[1][column["terms"]], rows[1][column["meta.frames"]] = cats.uri, "7"  # second: a term and a field
    rows[2][column["meta.frames"]] = "lots"  # third: a bad number
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    results = metadata_csv.import_csv(text=out.getvalue(), actor=people["editor"])
    assert [(r.line, r.status) for r in results] == [(2, "updated"), (3, "updated"), (4, "error")]
    assert results[0].changed == ["title"] and results[1].changed == ["metadata", "terms"]
    assert results[2].errors == ["metadata.frames: Enter a number."]
    second.refresh_from_db()
    assert second.metadata == {"frames": 7} and list(second.terms.all()) == [cats]
    event = AuditEvent.objects.filter(verb="assets.asset.updated", target_id=str(first.pk)).get()
    assert list(event.data["changes"]) == ["title"]
    # Importing the same file again changes nothing.
    fresh = Asset.objects.filter(pk__in=[first.pk, second.pk, third.pk]).prefetch_related("term_links__term")
    again = metadata_csv.import_csv(text=metadata_csv.export(fresh), actor=people["editor"])
    assert {r.status for r in again} == {"unchanged"}


def test_metadata_csv_import_reports_assets_one_may_not_edit(people, web):
    asset = make_asset(people["admin"], title="Not yours", approved=True)
    text = metadata_csv.export([asset]).replace("Not yours", "Mine now")
    results = metadata_csv.import_csv(text=text, actor=people["viewer"])
    assert results[0].status == "error" and results[0].errors == ["You may not edit this asset."]
    page = web("contributor").get("/assets/metadata.csv")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/csv")
