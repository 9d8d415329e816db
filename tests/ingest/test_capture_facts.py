"""Camera and capture day: copied out of the embedded metadata into columns, at ingest and by migration 0009."""
from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps

from assets.models import AssetVersion
from ingest.metadata import capture_date, capture_facts
from tests.factories import make_asset


@pytest.mark.parametrize(("value", "expected"), [
    ("2008:05:30 15:56:01", date(2008, 5, 30)),      # EXIF
    ("2021-06-01T10:00:00+02:00", date(2021, 6, 1)),  # ISO, as IPTC/XMP mapping gives it
    (b"2019:01:02 03:04:05\x00", date(2019, 1, 2)),   # bytes with a NUL, as some cameras write it
    ("0000:00:00 00:00:00", None),                    # "unknown" in EXIF
    ("2021:13:45 10:00:00", None),
    ("2021", None),
    ("yesterday!", None),
    (None, None),
    (12345, None),
])
def test_capture_date_reads_exif_and_iso_days_and_refuses_the_rest(value, expected):
    assert capture_date(value) == expected


def test_capture_facts_take_the_exif_camera_and_fall_back_to_the_mapped_date():
    facts = capture_facts({"exif": {"Make": " Canon\x00", "Model": "X" * 300},
                           "mapped": {"date_taken": "2020-02-29"}})
    assert facts == {"camera_make": "Canon", "camera_model": "X" * 100, "captured_on": date(2020, 2, 29)}
    assert capture_facts({}) == {"camera_make": "", "camera_model": "", "captured_on": None}


def test_migration_fills_the_columns_of_existing_versions(people):
    asset = make_asset(people["editor"], title="Older upload")
    AssetVersion.objects.filter(pk=asset.current_version_id).update(embedded_metadata={
        "exif": {"Make": "NIKON CORPORATION", "Model": "NIKON D70", "DateTimeOriginal": "2004:11:02 09:00:00"}},
        camera_make="", camera_model="", captured_on=None)  # as the row was before the columns existed
    migration = importlib.import_module("assets.migrations.0009_version_camera_and_capture_date")
    migration.fill(django_apps, None)
    version = AssetVersion.objects.get(pk=asset.current_version_id)
    assert (version.camera_make, version.camera_model, version.captured_on) == (
        "NIKON CORPORATION", "NIKON D70", date(2004, 11, 2))
