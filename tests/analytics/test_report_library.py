"""Library health and vocabulary panels, each against a count made here."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from analytics.selectors import ReportQuery, report
from archive.models import FixityCheck
from assets.models import Asset
from assets.selectors import missing_required_fields
from taxonomy.models import AssetType, MetadataField, TermProposal, Vocabulary
from tests.factories import library, make_asset, make_collection, make_term

pytestmark = pytest.mark.django_db


def test_assets_by_type_and_state(people):
    make_asset(people["editor"], approved=True)
    make_asset(people["editor"], approved=True)
    make_asset(people["editor"])
    archived = make_asset(people["editor"], approved=True)
    Asset.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    rows = report(people["admin"], ReportQuery.last(30), ["assets_by_type_state"])["assets_by_type_state"]
    assert {(r["type_label"], r["state_label"]): r["count"] for r in rows} == {
        ("Image", "Approved"): 2, ("Image", "Draft"): 1, ("Image", "Archived"): 1}


def test_missing_required_fields_counts_what_the_submission_check_refuses(people):
    photos = make_collection("Photos", library())
    MetadataField.objects.create(key="credit", label="Credit", required=True)
    shoot = MetadataField.objects.create(key="shoot", label="Shoot", required=True,
                                         asset_types=[AssetType.VIDEO])
    place = MetadataField.objects.create(key="place", label="Place", required=True)
    place.collections.add(photos)
    filled = make_asset(people["editor"], photos)
    Asset.objects.filter(pk=filled.pk).update(metadata={"credit": "Ann", "place": "Harbour"})
    blank = make_asset(people["editor"], photos)
    Asset.objects.filter(pk=blank.pk).update(metadata={"credit": "", "place": []})
    make_asset(people["editor"])  # in the library: "place" does not apply
    rows = report(people["admin"], ReportQuery.last(30), ["missing_required"])["missing_required"]
    expected: dict[str, int] = {}
    for asset in Asset.objects.all():
        for label in missing_required_fields(asset):
            expected[label] = expected.get(label, 0) + 1
    assert {r["label"]: r["count"] for r in rows} == expected == {"Credit": 2, "Place": 1}
    assert shoot.label not in expected


def test_rights_expiring_in_30_days(people):
    now = timezone.now()
    soon, later, past = (make_asset(people["editor"], title=t, approved=True) for t in ("Soon", "Later", "Past"))
    for asset, days in ((soon, 10), (later, 45), (past, -2)):
        Asset.objects.filter(pk=asset.pk).update(rights_expire_at=now + dt.timedelta(days=days))
    rows = report(people["librarian"], ReportQuery.last(30), ["rights_expiring"])["rights_expiring"]
    assert [(r["title"], r["days_left"]) for r in rows] == [("Soon", 9)]


def test_fixity_problems(people):
    changed, fine = make_asset(people["editor"], title="Changed"), make_asset(people["editor"], title="Fine")
    now = timezone.now()
    FixityCheck.objects.create(version_id=changed.current_version_id, checked_at=now,
                               outcome=FixityCheck.Outcome.CHANGED)
    FixityCheck.objects.create(version_id=fine.current_version_id, checked_at=now, outcome=FixityCheck.Outcome.OK)
    rows = report(people["admin"], ReportQuery.last(30), ["fixity_problems"])["fixity_problems"]
    assert [(r["title"], r["problem"]) for r in rows] == [("Changed", "Changed")]


def test_vocabulary_use(people):
    vocabulary = Vocabulary.objects.create(uri="https://vocab.example.org/v/", title="Places")
    sea, port, moon = (make_term(vocabulary, label) for label in ("Sea", "Port", "Moon"))
    assets = [make_asset(people["editor"]) for _ in range(3)]
    for asset in assets:
        asset.term_links.create(term=sea)
    assets[0].term_links.create(term=port)
    TermProposal.objects.create(label="Lighthouse", asset=assets[0], proposed_by=people["contributor"])
    TermProposal.objects.create(label="Lighthouse", asset=assets[1], proposed_by=people["contributor"])
    TermProposal.objects.create(label="Dock", asset=assets[1], status=TermProposal.Status.REJECTED)
    data = report(people["librarian"], ReportQuery.last(30),
                  ["top_terms", "least_used_terms", "unused_terms", "waiting_proposals"])
    assert [(r["label"], r["count"]) for r in data["top_terms"]] == [("Sea", 3), ("Port", 1)]
    assert [(r["label"], r["count"]) for r in data["least_used_terms"]] == [("Port", 1), ("Sea", 3)]
    assert moon.label in [r["label"] for r in data["unused_terms"]]
    assert {sea.label, port.label}.isdisjoint(r["label"] for r in data["unused_terms"])
    assert [(r["label"], r["count"]) for r in data["waiting_proposals"]] == [("Lighthouse", 2)]
