"""BagIt export and restore (archive.bags): the round trip, bagit's own validation, and refused bags."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from archive.bags import services
from archive.bags.restore import BagRefused
from assets import services as asset_services
from assets.models import Asset, AssetVersion, Rendition, ReviewState
from taxonomy.models import Term, Vocabulary
from tests.factories import CORPUS, make_asset, make_collection, make_term, new_revision
from workflows import services as workflow
from workflows.models import Review, ReviewDecision

pytestmark = pytest.mark.django_db


def stored_files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()} if media.exists() else set()


@pytest.fixture
def vocabulary(db):
    vocab = Vocabulary.objects.create(uri="https://vocab.test/subjects/", title="Subjects")
    return {"harbour": make_term(vocab, "harbour"), "night": make_term(vocab, "night")}


@pytest.fixture
def rich_asset(people, vocabulary, django_capture_on_commit_callbacks):
    """A camera JPEG approved as version 1 (its renditions made), with terms and rights, and a draft version 2."""
    with django_capture_on_commit_callbacks(execute=True):
        return _rich_asset(people, vocabulary)


def _rich_asset(people, vocabulary):
    folder = make_collection("Campaigns")
    sub = make_collection("Harbour 2026", parent=folder)
    asset = make_asset(people["editor"], sub, title="Harbour at night",
                       data=(CORPUS / "real" / "Canon_40D.jpg").read_bytes(), filename="IMG_0001 (Canon).jpg")
    asset_services.asset_update(asset=asset, actor=None, changes={
        "description": "The old harbour after dark.", "licence": "CC BY 4.0", "rights_holder": "Harbour Press",
        "usage_terms": "Editorial use only", "channels": ["web", "print"],
        "rights_expire_at": datetime(2031, 1, 1, tzinfo=UTC),
        "terms": [vocabulary["harbour"].uri, vocabulary["night"].uri]})
    # Submitted by a person with a comment, so the history names who did what.
    workflow.version_submit(version_id=asset.current_version_id, actor=people["editor"], comment="Ready for print")
    while AssetVersion.objects.get(pk=asset.current_version_id).review_state == ReviewState.IN_REVIEW:
        workflow.version_approve(version_id=asset.current_version_id, actor=None)
    asset.refresh_from_db()
    new_revision(asset, people["editor"])
    asset.refresh_from_db()
    return asset


def snapshot(asset: Asset) -> dict:
    asset = Asset.objects.select_related("collection", "collection__parent", "owner").get(uid=asset.uid)
    versions = list(asset.versions.order_by("number"))
    return {
        "fields": {f: getattr(asset, f) for f in ("title", "description", "asset_type", "campaign", "licence",
                                                  "rights_holder", "usage_terms", "channels", "rights_expire_at",
                                                  "embargo_until", "metadata", "created_at")},
        "collection": [asset.collection.parent.name, asset.collection.name],
        "owner": asset.owner.username,
        "terms": sorted((link.term.uri, link.source) for link in asset.term_links.select_related("term")),
        "versions": [(v.number, v.original_filename, v.sha256, v.size, v.mime_type, v.width, v.height, v.review_state,
                      v.uploaded_by.username if v.uploaded_by else None, v.created_at, v.embedded_metadata)
                     for v in versions],
        "bytes": [default_storage.open(v.file.name).read() for v in versions],
        "current": asset.current_version.number, "approved": asset.approved_version.number,
        "reviews": [(r.version.number, r.policy.name, r.submitted_by and r.submitted_by.username, r.comment, r.outcome,
                     r.created_at, r.closed_at, [(d.kind, d.step, d.created_at) for d in r.decisions.all()])
                    for r in Review.objects.filter(version__asset=asset).order_by("created_at", "pk")],
    }


def history(asset: Asset) -> list[tuple[str, datetime]]:
    versions = [str(pk) for pk in AssetVersion.objects.filter(asset__uid=asset.uid).values_list("pk", flat=True)]
    found = AuditEvent.objects.filter(
        target_id__in=[str(Asset.objects.get(uid=asset.uid).pk), *versions],
        target_type__model__in=["asset", "assetversion"]).exclude(verb__startswith="archive.")
    return sorted((e.verb, e.created_at) for e in found)


def empty_the_dam() -> None:
    for asset in Asset.objects.all():
        keys = [v.file.name for v in asset.versions.all()]
        keys += [r.file.name for r in Rendition.objects.filter(version__asset=asset).exclude(file="")]
        asset.delete()
        for key in keys:
            default_storage.delete(key)


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
    (root,) = list(into.iterdir())
    return root


def rezip(root: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root.name}/{path.relative_to(root)}")
    return target


def test_round_trip_on_an_empty_dam_gives_the_same_files_fields_terms_versions_and_history(
        rich_asset, tmp_path, media_in_tmp, django_capture_on_commit_callbacks):
    before, events = snapshot(rich_asset), history(rich_asset)
    assert before["reviews"][0][2:5] == ("editor", "Ready for print", "approved") and len(events) >= 4
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    assert Asset.objects.count() == 0 and not list((media_in_tmp / "originals").rglob("*.*"))

    report = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_bag", str(out), stdout=report)

    assert "Restored 1 asset" in report.getvalue()
    after = snapshot(rich_asset)
    assert after == before
    assert [hashlib.sha256(b).hexdigest() for b in after["bytes"]] == [v[2] for v in before["versions"]]
    assert history(rich_asset) == events
    restored = Asset.objects.get(uid=rich_asset.uid)
    assert AuditEvent.objects.filter(verb="archive.bag.restored", target_id=str(restored.pk)).count() == 1
    # Derivatives are made again from the restored originals.
    assert Rendition.objects.filter(version__asset=restored, status=Rendition.Status.READY).exists()


def test_the_bag_is_valid_for_bagit_itself_and_carries_what_it_promises(rich_asset, tmp_path, vocabulary):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    root = unzip(out, tmp_path / "x")
    bag = bagit.Bag(str(root))
    bag.validate(fast=False)  # every checksum
    assert bag.algorithms == ["sha256"]
    assert (root / "tagmanifest-sha256.txt").is_file()
    assert bag.info["DAM-Asset-Count"] == "1" and bag.info["DAM-Version-Count"] == "2"
    assert bag.info["External-Identifier"] == f"urn:uuid:{rich_asset.uid}"
    assert "Bagging-Date" in bag.info and bag.info["Payload-Oxum"].endswith(str(len(list(bag.payload_files())) ))

    uid = str(rich_asset.uid)
    record = json.loads((root / "data" / uid / "asset.json").read_text())
    assert [t["uri"] for t in record["terms"]] == sorted(t.uri for t in vocabulary.values())
    assert record["rights"]["licence"] == "CC BY 4.0" and record["approved_version"] == 1
    assert [v["number"] for v in record["versions"]] == [1, 2]
    assert any(r["outcome"] == "approved" for r in record["reviews"])
    assert "assets.asset.created" in [e["verb"] for e in record["events"]]
    original = root / "data" / record["versions"][0]["path"]
    assert original.name == "IMG_0001 _Canon_.jpg"
    assert original.read_bytes() == (CORPUS / "real" / "Canon_40D.jpg").read_bytes()
    sidecar = (root / "data" / f"{record['versions'][0]['path']}.xmp").read_text()
    assert "<dc:title>" in sidecar and "Harbour at night" in sidecar and vocabulary["night"].uri in sidecar
    # The approved version's renditions, each with a sidecar; none of the draft's.
    renditions = record["versions"][0]["renditions"]
    assert {r["preset"] for r in renditions} >= {"thumb", "preview"}
    assert all((root / "data" / f"{r['path']}.xmp").is_file() for r in renditions)
    assert record["versions"][1]["renditions"] == []


def test_a_collection_bag_holds_its_sub_collections(people, tmp_path):
    top = make_collection("Top")
    inner = make_collection("Inner", parent=top)
    a, b = make_asset(None, top, title="One"), make_asset(None, inner, title="Two")
    make_asset(None, make_collection("Elsewhere"), title="Not in it")
    out = tmp_path / "top.zip"
    call_command("export_bag", "Top", str(out), stdout=io.StringIO())
    root = unzip(out, tmp_path / "x")
    assert json.loads((root / "data" / "bag.json").read_text())["assets"] == [str(a.uid), str(b.uid)]


def flip_a_bit(root: Path, relative: str) -> None:
    target = root / relative
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))


def test_a_flipped_bit_is_refused_naming_the_file_and_nothing_is_imported(rich_asset, tmp_path, media_in_tmp):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    root = unzip(out, tmp_path / "x")
    record = json.loads((root / "data" / str(rich_asset.uid) / "asset.json").read_text())
    bad = f"data/{record['versions'][1]['path']}"
    flip_a_bit(root, bad)  # same size: Payload-Oxum still agrees, only the checksum can tell
    files_before = stored_files(media_in_tmp)

    with pytest.raises(CommandError) as refused:
        call_command("restore_bag", str(rezip(root, tmp_path / "flipped.zip")))

    assert bad in str(refused.value) and "checksum" in str(refused.value)
    assert Asset.objects.count() == 0
    assert stored_files(media_in_tmp) == files_before


def test_a_changed_tag_file_is_refused_too(rich_asset, tmp_path):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    root = unzip(out, tmp_path / "x")
    info = root / "bag-info.txt"
    info.write_text(info.read_text().replace("Contact-Name: system", "Contact-Name: mallory"))
    with pytest.raises(BagRefused, match="bag-info.txt"):
        services.bag_restore(zip_path=rezip(root, tmp_path / "t.zip"), actor=None, replace=True)


def test_what_is_not_a_bag_is_refused(tmp_path, db):
    not_zip = tmp_path / "photo.zip"
    not_zip.write_bytes((CORPUS / "real" / "Canon_40D.jpg").read_bytes())
    with pytest.raises(CommandError, match="not a zip archive"):
        call_command("restore_bag", str(not_zip))
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("photos/a.jpg", b"not really")
    with pytest.raises(CommandError, match="not a BagIt bag: it has no bagit.txt"):
        call_command("restore_bag", str(plain))
    assert Asset.objects.count() == 0


def test_zip_entries_that_climb_out_are_refused(tmp_path, db):
    slip = tmp_path / "slip.zip"
    slip.write_bytes((CORPUS / "bad" / "zip-slip.zip").read_bytes())
    with pytest.raises(BagRefused, match="points outside the bag"):
        services.bag_restore(zip_path=slip, actor=None)


def test_a_file_outside_the_payload_is_refused(rich_asset, tmp_path):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    root = unzip(out, tmp_path / "x")
    (root / "notes.txt").write_text("left here by someone")
    with pytest.raises(CommandError, match=r"notes\.txt outside its payload"):
        call_command("restore_bag", str(rezip(root, tmp_path / "extra.zip")))
    assert Asset.objects.count() == 0


def test_a_payload_file_missing_from_the_manifest_is_refused(rich_asset, tmp_path):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    root = unzip(out, tmp_path / "x")
    (root / "data" / "smuggled.exe").write_bytes(b"MZ")
    with pytest.raises(BagRefused, match=r"data/smuggled\.exe"):
        services.bag_restore(zip_path=rezip(root, tmp_path / "s.zip"), actor=None, replace=True)


def test_a_term_that_does_not_exist_refuses_the_bag(rich_asset, tmp_path, vocabulary, media_in_tmp):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    uri = vocabulary["night"].uri
    Term.objects.filter(uri=uri).delete()
    files_before = stored_files(media_in_tmp)
    with pytest.raises(CommandError) as refused:
        call_command("restore_bag", str(out))
    assert uri in str(refused.value) and "does not have" in str(refused.value)
    assert Asset.objects.count() == 0 and stored_files(media_in_tmp) == files_before


def test_an_existing_uid_is_refused_without_replace_and_written_over_with_it(rich_asset, tmp_path, media_in_tmp,
                                                                            django_capture_on_commit_callbacks):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    before = snapshot(rich_asset)
    asset_services.asset_update(asset=rich_asset, actor=None, changes={"title": "Renamed since"})
    old_keys = set(AssetVersion.objects.filter(asset=rich_asset).values_list("file", flat=True))

    with pytest.raises(CommandError, match=f"already exists here \\({rich_asset.uid}\\).*--replace"):
        call_command("restore_bag", str(out))
    assert Asset.objects.get(uid=rich_asset.uid).title == "Renamed since"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_bag", str(out), "--replace", stdout=io.StringIO())
    assert Asset.objects.filter(uid=rich_asset.uid).count() == 1
    assert snapshot(rich_asset) == before
    # The replaced asset's files are gone from the store; the new ones are there.
    assert not any(default_storage.exists(key) for key in old_keys)
    assert all(default_storage.exists(v.file.name) for v in AssetVersion.objects.filter(asset__uid=rich_asset.uid))


def test_a_restore_that_fails_half_way_leaves_no_row_and_no_stored_file(rich_asset, tmp_path, media_in_tmp,
                                                                        monkeypatch):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    files_before = stored_files(media_in_tmp)
    from archive.bags import recreate

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(recreate.Recreator, "events", broken)
    with pytest.raises(RuntimeError):
        services.bag_restore(zip_path=out, actor=None)
    assert Asset.objects.count() == 0 and not ReviewDecision.objects.exists()
    assert stored_files(media_in_tmp) == files_before


def test_export_bag_names_what_it_cannot_find(db, tmp_path):
    with pytest.raises(CommandError, match="neither an asset uid nor a collection"):
        call_command("export_bag", "Nowhere/Else", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="should end in .zip"):
        call_command("export_bag", "Library", str(tmp_path / "x.tar"))


def resave(root: Path, change) -> None:
    """Edit asset.json and let bagit make the manifests again: a valid bag whose content is wrong."""
    (record_path,) = list((root / "data").glob("*/asset.json"))
    record = json.loads(record_path.read_text())
    change(record)
    record_path.write_text(json.dumps(record))
    bagit.Bag(str(root)).save(manifests=True)


@pytest.mark.parametrize(("change", "reason"), [
    (lambda r: r["versions"][0].pop("sha256"), "version 1: “sha256” should be str"),
    (lambda r: r.update(title=None), "“title” should be str"),
    (lambda r: r["versions"].append(dict(r["versions"][0])), "cannot be restored"),  # two version 1s
])
def test_a_valid_bag_with_a_wrong_asset_json_is_refused_naming_it(rich_asset, tmp_path, media_in_tmp, change, reason):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    empty_the_dam()
    root = unzip(out, tmp_path / "x")
    resave(root, change)
    files_before = stored_files(media_in_tmp)
    with pytest.raises(CommandError) as refused:
        call_command("restore_bag", str(rezip(root, tmp_path / "wrong.zip")))
    assert f"data/{rich_asset.uid}/asset.json" in str(refused.value) and reason in str(refused.value)
    assert Asset.objects.count() == 0 and stored_files(media_in_tmp) == files_before


def test_a_bag_that_would_fill_the_disk_is_refused_before_unpacking(tmp_path, db, monkeypatch):
    import shutil
    from collections import namedtuple

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bag/data/zeros.bin", b"\0" * 5_000_000)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10_000_000, 9_000_000, 1_000_000))
    with pytest.raises(BagRefused, match=r"bomb\.zip unpacks to 4\.8 MB, more than the 976\.6 KB free"):
        services.bag_restore(zip_path=bomb, actor=None)
