"""Fixity against S3 (moto's server over loopback HTTP): objects are streamed, never downloaded whole."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from archive.fixity import reading, services
from archive.models import FixityRun
from assets import sweep
from assets.models import AssetVersion
from tests.assets import test_workers_and_s3 as real
from tests.factories import CORPUS, make_asset

s3_endpoint = real.s3_endpoint
s3_storage = real.s3_storage

CANON = (CORPUS / "real" / "Canon_40D.jpg").read_bytes()


@pytest.fixture
def no_whole_downloads(monkeypatch):
    """django-storages' S3File reads a whole object into memory: fixity must never go through it."""
    from storages.backends.s3 import S3File

    def refuse(self):
        raise AssertionError("an S3 object was downloaded whole")

    monkeypatch.setattr(S3File, "_get_file", refuse)


@pytest.fixture
def uploaded(s3_storage, people, django_capture_on_commit_callbacks):
    client, bucket = s3_storage
    with django_capture_on_commit_callbacks(execute=True):
        assets = [make_asset(people["editor"], data=CANON, title="Canon", filename="Canon_40D.jpg"),
                  make_asset(people["editor"]), make_asset(people["editor"])]
    return client, bucket, assets


def key_of(asset) -> str:
    return AssetVersion.objects.get(pk=asset.current_version_id).file.name


def test_s3_changed_missing_and_untracked_objects(uploaded, monkeypatch, no_whole_downloads, capsys):
    client, bucket, (canon, changed, missing) = uploaded
    client.put_object(Bucket=bucket, Key=key_of(changed), Body=b"overwritten in the bucket")
    client.delete_object(Bucket=bucket, Key=key_of(missing))
    client.put_object(Bucket=bucket, Key="originals/ab/cd/abcd0000000000000000000000000000", Body=b"stray")
    client.put_object(Bucket=bucket, Key="renditions/not-an-original.jpg", Body=b"another area")
    monkeypatch.setattr(sweep, "GRACE", timedelta(0))  # S3 keeps its own modified time: no back-dating

    with pytest.raises(SystemExit) as exit_:
        call_command("fixity_check", "--json")
    assert exit_.value.code == 1
    body = json.loads(capsys.readouterr().out)
    assert body["checked"] == 3 and body["state"] == "complete"
    assert body["changed"] == [str(changed.uid)] and body["missing"] == [str(missing.uid)]
    assert body["untracked"] == ["originals/ab/cd/abcd0000000000000000000000000000"]
    run = FixityRun.objects.get()
    assert run.bytes_read == len(CANON) + len(b"overwritten in the bucket")  # the missing one read nothing
    assert run.problems.get(kind="changed").actual != run.problems.get(kind="changed").expected


def test_s3_intact_store_streams_in_chunks(uploaded, monkeypatch, no_whole_downloads):
    _, _, (canon, *_) = uploaded
    monkeypatch.setattr(reading, "CHUNK", 4096)
    sizes = []
    real_chunks = reading.chunks

    def counting(storage, name):
        for block in real_chunks(storage, name):
            sizes.append(len(block))
            yield block

    monkeypatch.setattr(reading, "chunks", counting)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert run.state == "complete" and run.checked == 3 and run.problems_count == 0
    assert max(sizes) <= 4096 and len(sizes) > len(CANON) // 4096


def test_s3_unreachable_half_way_is_an_incomplete_run(uploaded, monkeypatch):
    from botocore.config import Config
    from storages.backends.s3 import S3Storage

    dead = S3Storage(bucket_name="gone", endpoint_url=f"http://127.0.0.1:{real.free_port()}",
                     region_name="us-east-1", access_key="testing", secret_key="testing",
                     client_config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1))
    opened = []
    real_storage_for = reading.storage_for

    def storage_for(version):
        opened.append(version.pk)
        return real_storage_for(version) if len(opened) < 3 else dead

    monkeypatch.setattr(reading, "storage_for", storage_for)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert run.state == FixityRun.State.INCOMPLETE and run.checked == 2
    assert "could not be reached" in run.error and run.problems_count == 0
