"""Describe at upload: what the uploader says once is applied to every file of the batch; a file kept without
a preview is reported so; a file typed by its content says so."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.models import Asset, AssetTerm, LicenceType, Rendition
from ingest import describe
from ingest.models import IngestBatch, IngestItem
from taxonomy.models import MetadataField, Vocabulary
from tests.factories import library, make_term, png_bytes
from tests.ingest.helpers import open_batch, send


@pytest.fixture
def schema(db):
    return MetadataField.objects.create(key="shoot", label="Shoot code", required=True, order=0)


@pytest.fixture
def term(db):
    return make_term(Vocabulary.objects.create(uri="https://vocab.test/", title="Subjects"), "Beaches")


def test_the_batch_description_reaches_every_file(api, people, schema, term):
    licence, _ = LicenceType.objects.get_or_create(name="CC BY 4.0")
    batch = open_batch(api["contributor"], title_pattern="Spring shoot {n}", description="For the spring campaign.",
                       campaign="Spring 2026", licence=licence.name.lower(), terms=[term.pk],
                       metadata={"shoot": "SP-26"})
    for seed in (1, 2, 3):
        send(api["contributor"], batch["id"], png_bytes(seed=seed), f"IMG_{seed}.png")
    assets = list(Asset.objects.filter(owner=people["contributor"]).order_by("id"))
    assert [a.title for a in assets] == ["Spring shoot 1", "Spring shoot 2", "Spring shoot 3"]
    for asset in assets:
        assert (asset.description, asset.campaign, asset.licence) == ("For the spring campaign.", "Spring 2026",
                                                                      "CC BY 4.0")
        assert asset.metadata["shoot"] == "SP-26"
        assert AssetTerm.objects.filter(asset=asset, term=term, source=AssetTerm.Source.HUMAN).exists()
    assert IngestBatch.objects.get(pk=batch["id"]).fields["terms"] == [term.pk]


def test_a_file_sent_with_its_own_title_keeps_it(api, people):
    batch = open_batch(api["contributor"], title_pattern="Shoot {name}")
    send(api["contributor"], batch["id"], png_bytes(seed=4), "beach.png", title="My own title")
    send(api["contributor"], batch["id"], png_bytes(seed=5), "harbour.png")
    titles = set(Asset.objects.filter(owner=people["contributor"]).values_list("title", flat=True))
    assert titles == {"My own title", "Shoot harbour"}


@pytest.mark.parametrize("fields,error_key", [
    ({"licence": "Whatever licence"}, "licence"),
    ({"title_pattern": "Shoot {count}"}, "title_pattern"),
    ({"metadata": {"nope": "x"}}, "metadata"),
    ({"terms": ["https://vocab.test/missing"]}, "terms"),
])
def test_a_wrong_description_is_refused_before_any_file_is_sent(api, fields, error_key):
    response = api["contributor"].post("/api/v1/batches/", fields, format="json")
    assert response.status_code == 400
    assert error_key in response.json()["errors"]
    assert not IngestBatch.objects.exists()


def test_the_upload_page_describes_every_file_and_marks_required_fields(web, people, schema):
    client = web("contributor")
    page = client.get("/assets/upload/").content.decode()
    assert "Describe every file" in page and 'name="meta__shoot"' in page and "Required before review." in page
    files = [SimpleUploadedFile(f"p{seed}.png", png_bytes(seed=seed)) for seed in (6, 7)]
    response = client.post("/assets/upload/", {"collection": library().pk, "file": files, "title": "Day {n}",
                                               "campaign": "Autumn", "meta__shoot": "AU-1"})
    assert response.status_code == 302
    assets = Asset.objects.filter(owner=people["contributor"]).order_by("title")
    assert [(a.title, a.campaign, a.metadata.get("shoot")) for a in assets] == [("Day 1", "Autumn", "AU-1"),
                                                                               ("Day 2", "Autumn", "AU-1")]


def test_title_patterns():
    assert describe.title_for("Shoot {n}", "a.jpg", 3, many=True) == "Shoot 3"
    assert describe.title_for("{name} ({n})", "IMG_1.jpg", 2, many=True) == "IMG_1 (2)"
    assert describe.title_for("Shoot", "a.jpg", 4, many=True) == "Shoot 4"  # titles in a batch differ
    with pytest.raises(ValueError):
        describe.title_for("Shoot {x}", "a.jpg", 1, many=True)


def test_a_damaged_image_is_reported_as_kept_without_a_preview(api, web, people, django_capture_on_commit_callbacks,
                                                               media_in_tmp):
    whole = png_bytes(seed=8, size=(200, 150))
    batch = open_batch(api["contributor"])
    with django_capture_on_commit_callbacks(execute=True):
        item = send(api["contributor"], batch["id"], whole[: len(whole) // 2], "cut.png")[0]
    assert item["outcome"] == "created"
    thumb = Rendition.objects.get(version__asset__uid=item["asset"]["uid"], preset="thumb")
    assert thumb.status == Rendition.Status.FAILED
    report = web("contributor").get(f"/assets/upload/batches/{batch['id']}/").content.decode()
    assert "preview unavailable" in report and "VipsPng" not in report
    listing = web("contributor").get("/assets/?status=draft").content.decode()
    assert "Preview unavailable" in listing and "Processing…" not in listing


def test_a_file_typed_by_its_content_says_so(api):
    batch = open_batch(api["contributor"])
    item = send(api["contributor"], batch["id"], b"Plain notes and nothing more\n" * 4, "notes.docx")[0]
    assert item["outcome"] == "created"
    assert item["reason"] == "Typed by its content, not its name: it is plain text, although its name says DOCX."
    assert IngestItem.objects.get(pk=item["id"]).reason == item["reason"]


def test_one_batch_file_leaves_the_description_alone_when_none_was_given(api, people):
    batch = open_batch(api["contributor"])
    send(api["contributor"], batch["id"], png_bytes(seed=9), "plain.png")
    asset = Asset.objects.get(owner=people["contributor"])
    assert asset.title == "plain" and asset.campaign == "" and not AssetTerm.objects.filter(asset=asset).exists()
    assert io  # the module's helpers build every file in memory
