"""The archive tier's settings: a folder or a second bucket; a bad value stops start-up naming the variable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES.get('archive'), default=str))")


def _start(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DAM_", "DATABASE_URL"))}
    full.pop("PYTEST_CURRENT_TEST", None)
    full.update({"DAM_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", SHOW], cwd=ROOT, env=full,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_no_tier_unless_asked(tmp_path):
    result = _start(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) is None


def test_a_folder(tmp_path):
    result = _start(tmp_path, {"DAM_ARCHIVE_DIR": str(tmp_path / "cold")})
    storage = json.loads(result.stdout.splitlines()[-1])
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "cold")


def test_a_bucket_with_a_storage_class(tmp_path):
    result = _start(tmp_path, {"DAM_ARCHIVE_S3_BUCKET": "dam-cold", "DAM_ARCHIVE_S3_STORAGE_CLASS": "glacier_ir",
                               "DAM_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
    options = json.loads(result.stdout.splitlines()[-1])["OPTIONS"]
    assert options["bucket_name"] == "dam-cold" and options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["object_parameters"] == {"StorageClass": "GLACIER_IR"} and options["file_overwrite"] is True


@pytest.mark.parametrize(("env", "says"), [
    ({"DAM_ARCHIVE_DIR": "/tmp/a", "DAM_ARCHIVE_S3_BUCKET": "b"}, "Set DAM_ARCHIVE_DIR or DAM_ARCHIVE_S3_BUCKET"),
    ({"DAM_ARCHIVE_S3_STORAGE_CLASS": "STANDARD_IA"}, "DAM_ARCHIVE_S3_STORAGE_CLASS needs DAM_ARCHIVE_S3_BUCKET"),
    ({"DAM_ARCHIVE_S3_BUCKET": "b", "DAM_ARCHIVE_S3_STORAGE_CLASS": "DEEP_ARCHIVE"},
     "DAM_ARCHIVE_S3_STORAGE_CLASS must be one of"),
    ({"DAM_ARCHIVE_S3_BUCKET": "same", "DAM_S3_BUCKET": "same"}, "DAM_ARCHIVE_S3_BUCKET must be another bucket"),
    ({"DAM_ARCHIVE_DIR": "{data}/media/cold"}, "DAM_ARCHIVE_DIR must be a folder outside the media folder"),
    ({"DAM_ARCHIVE_DIR": "{data}/a-file"}, "DAM_ARCHIVE_DIR must name a directory"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, env, says):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a-file").write_text("not a folder")
    env = {key: value.format(data=tmp_path / "data") for key, value in env.items()}
    result = _start(tmp_path, env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr
