"""Real components: a `qcluster` worker on the ORM broker, and S3 through moto's server over loopback HTTP."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pyexiv2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.ingest.helpers import CORPUS, open_batch, send

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- qcluster ------------------------------------------------------------------------------

@pytest.fixture
def worker_database(tmp_path):
    """A database of its own for processes started by the test: a SQLite file, or a fresh PostgreSQL database."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return
    import psycopg
    params = connection.settings_dict
    name = f"dam_ingest_worker_{uuid.uuid4().hex[:8]}"
    admin_url = f"postgresql://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rendition_states(url: str) -> list[tuple[str, str]]:
    query = "SELECT preset, status FROM assets_rendition ORDER BY version_id, preset"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(query).fetchall()
    import psycopg
    with psycopg.connect(url) as db:
        return db.execute(query).fetchall()


def worker_env(tmp_path: Path, database: str, **extra: str) -> dict[str, str]:
    """The environment of the processes a test starts: their own data folder and database, real jobs."""
    env = {**os.environ, "DAM_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database,
           "DAM_SYNC_TASKS": "0", "DAM_WORKERS": "1", "PYTHONPATH": str(ROOT), **extra}
    # Outside pytest, settings read the environment: "pytest" is not in sys.modules in the children.
    env.pop("PYTEST_CURRENT_TEST", None)
    subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=120)  # noqa: S603
    return env


@contextlib.contextmanager
def qcluster(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    cluster = subprocess.Popen([*MANAGE, "qcluster"],  # noqa: S603
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        yield cluster
    finally:
        cluster.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            cluster.wait(timeout=20)
        end_session(cluster.pid)
        cluster.wait(timeout=5)


def end_session(leader: int, seconds: float = 3) -> None:
    """Stop what is left of the session `leader` started: the cluster's sentinel and workers can outlive its
    main process (and would poll a deleted database for as long as the machine runs). Asked to stop
    first, so that a pusher removes its wake-up socket; killed if still there."""
    deadline = time.monotonic() + seconds
    try:
        os.killpg(leader, signal.SIGTERM)
        while time.monotonic() < deadline:
            time.sleep(0.1)
            os.killpg(leader, 0)
        os.killpg(leader, signal.SIGKILL)
    except ProcessLookupError:
        pass  # nothing of it is left


def renditions_when_made(url: str, seconds: float) -> list[tuple[str, str]]:
    """The rendition states once none is pending, or as they are after `seconds`."""
    deadline = time.monotonic() + seconds
    while (states := rendition_states(url)) and any(status == "pending" for _, status in states):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return states


def import_files(env: dict[str, str], folder: Path) -> None:
    subprocess.run([*MANAGE, "import_assets", str(folder), "-v0"],  # noqa: S603
                   env=env, check=True, cwd=ROOT, timeout=120)


def test_a_new_worker_process_loads_the_imaging_code_before_its_first_job(tmp_path):
    # In a process of its own, as a worker is: this test process has long loaded all of it.
    spawned = ("import sys; from django_q.signals import post_spawn; "
               "print('scipy.fftpack' in sys.modules, 'pyvips' in sys.modules); "
               "post_spawn.send(sender='django_q', proc_name='Process-1'); "
               "print('scipy.fftpack' in sys.modules, 'pyvips' in sys.modules)")
    env = {**os.environ, "DAM_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_CURRENT_TEST", None)
    printed = subprocess.run([*MANAGE, "shell", "-c", spawned], env=env, check=True, cwd=ROOT,  # noqa: S603
                             timeout=60, capture_output=True, text=True).stdout.splitlines()
    assert printed[-2:] == ["False False", "True True"]


def test_a_worker_that_cannot_load_the_imaging_code_still_starts(monkeypatch, caplog):
    import imagehash

    from assets import tasks

    def broken(image):
        raise OSError("libvips.so.42: cannot open shared object file")

    monkeypatch.setattr(imagehash, "phash", broken)
    tasks.warm_up_worker(sender="django_q", proc_name="Process-1")  # no exception: the worker lives on
    assert "Could not load the imaging code" in caplog.text


@pytest.mark.slow
def test_a_real_qcluster_makes_the_renditions(tmp_path, worker_database):
    env = worker_env(tmp_path, worker_database)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("Canon_40D.jpg", "orientation_portrait_6.jpg"):
        (folder / name).write_bytes((CORPUS / "real" / name).read_bytes())
    (folder / "bomb.gif").write_bytes((CORPUS / "bad" / "pillow_decompression_bomb_extents.gif").read_bytes())
    import_files(env, folder)
    assert {status for _, status in rendition_states(worker_database)} == {"pending"}  # queued, not yet made
    with qcluster(env):
        states = renditions_when_made(worker_database, seconds=90)
    assert len(states) == 9
    # Both photos made all three presets; the GIF whose second frame is a bomb kept its original and
    # got previews of its first frame or a recorded failure, and the worker carried on.
    assert [status for _, status in states[:6]] == ["ready"] * 6
    assert all(status in ("ready", "failed") for _, status in states[6:])


@pytest.mark.slow
def test_a_job_queued_by_another_process_wakes_a_cluster_that_would_poll_only_in_ten_minutes(tmp_path,
                                                                                              worker_database):
    env = worker_env(tmp_path, worker_database, DAM_QUEUE_POLL_MS="600000")
    where = "from dam.jobs import wake_up_folder; print(wake_up_folder())"
    printed = subprocess.run([*MANAGE, "shell", "-c", where], env=env, check=True, cwd=ROOT,  # noqa: S603
                             timeout=60, capture_output=True, text=True).stdout
    folder = Path(printed.splitlines()[-1])  # the shell may print a line of its own first
    listening_before = set(folder.glob("*.sock"))
    with qcluster(env):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not set(folder.glob("*.sock")) - listening_before:
            time.sleep(0.2)  # the pusher has looked at the empty queue and now sleeps its ten minutes
        assert set(folder.glob("*.sock")) - listening_before, "the cluster never listened"
        photos = tmp_path / "in"
        photos.mkdir()
        (photos / "Canon_40D.jpg").write_bytes((CORPUS / "real" / "Canon_40D.jpg").read_bytes())
        import_files(env, photos)
        states = renditions_when_made(worker_database, seconds=60)
    # Stopped while it slept, the pusher could not remove its socket: the folder is this test's alone.
    shutil.rmtree(folder, ignore_errors=True)
    assert [status for _, status in states] == ["ready"] * 3


# --- S3 -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def s3_endpoint():
    """moto in server mode: a real HTTP S3 endpoint on loopback, in its own process."""
    port = free_port()
    command = [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)  # noqa: S310 - loopback test server
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, s3_endpoint, monkeypatch):
    bucket = f"dam-{uuid.uuid4().hex[:10]}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": bucket, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                    "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
                    "file_overwrite": False},
    }}
    return client, bucket


def keys(client, bucket) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_originals_and_renditions_live_in_s3_and_download_by_presigned_url(api, web, s3_storage, s3_endpoint,
                                                                          django_capture_on_commit_callbacks):
    client, bucket = s3_storage
    data = (CORPUS / "real" / "gps_DSCN0010.jpg").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("Harbour.jpg", data)},
                                      format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    stored = keys(client, bucket)
    assert len([k for k in stored if k.startswith("originals/")]) == 1
    assert len([k for k in stored if k.startswith("renditions/")]) == 3
    again = api["editor"].get(f"/api/v1/assets/{body['uid']}/").json()
    assert {again["renditions"][p]["status"] for p in ("thumb", "preview", "web")} == {"ready"}

    # An original leaves as a copy with the asset's rights written in (distribution.embedding), streamed by
    # the DAM; the stored object is untouched. Renditions go by presigned URL.
    download = api["editor"].get(f"/api/v1/assets/{body['uid']}/download/")
    assert download.status_code == 200 and "Harbour.jpg" in download["Content-Disposition"]
    sent = b"".join(download.streaming_content)
    assert pyexiv2.ImageData(sent).read_xmp()["Xmp.dc.title"] == {'lang="x-default"': "Harbour"}
    original_key = next(k for k in stored if k.startswith("originals/"))
    assert client.get_object(Bucket=bucket, Key=original_key)["Body"].read() == data
    web_copy = api["editor"].get(f"/api/v1/assets/{body['uid']}/download/?rendition=web")
    assert web_copy.status_code == 302
    location = web_copy["Location"]
    assert location.startswith(s3_endpoint) and "Signature=" in location
    with urllib.request.urlopen(location, timeout=10) as fetched:  # noqa: S310 - the loopback moto server
        assert fetched.read()[:2] == b"\xff\xd8"
        assert "Harbour-web.jpg" in fetched.headers["Content-Disposition"]
    unsigned = urlparse(location)._replace(query="").geturl()
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310 - private bucket: no signature, no bytes

    thumb = web("editor").get(f"/assets/{body['uid']}/v1/thumb.jpg")
    assert thumb.status_code == 302
    with urllib.request.urlopen(thumb["Location"], timeout=10) as fetched:  # noqa: S310
        assert fetched.read()[:2] == b"\xff\xd8"

    from django.core.files.storage import default_storage
    original = next(k for k in stored if k.startswith("originals/"))
    default_storage.delete(original)
    assert original not in keys(client, bucket)


def test_a_rejected_file_leaves_no_object_in_s3(api, s3_storage):
    client, bucket = s3_storage
    items = send(api["editor"], open_batch(api["editor"])["id"],
                 (CORPUS / "bad" / "pillow_decompression_bomb.gif").read_bytes(), "bomb.gif")
    assert items[0]["outcome"] == "rejected" and keys(client, bucket) == set()
