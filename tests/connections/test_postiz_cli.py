"""Postiz's own command-line client (npm: postiz, pinned in tests/connections/postiz_cli/) against the stand-in:
what Postiz's client sends, the stand-in takes, and the draft our client sends has the same shape.

The client is installed with `npm ci` when tests/connections/postiz_cli/node_modules is missing; without node
and npm, or when the registry cannot be reached, these tests are skipped with the reason.
"""
from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from distribution.connections.clients import Upload
from distribution.connections.postiz import PostizClient

CLI_DIR = Path(__file__).with_name("postiz_cli")
CLI = CLI_DIR / "node_modules" / "postiz" / "dist" / "index.js"
WHEN = "2026-03-01T09:30:00.000Z"


@pytest.fixture(scope="module")
def postiz_cli() -> list[str]:
    """The command that runs Postiz's client (node and its script), installed from the lock file if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed to run Postiz's own client (npm package postiz)")
    # Both suites (SQLite, PostgreSQL) may get here at once: one installs, the other waits for it.
    with open(Path(tempfile.gettempdir()) / "dam-postiz-cli-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not CLI.exists():
            try:
                done = subprocess.run([npm, "ci", "--prefix", str(CLI_DIR), "--no-audit", "--no-fund",  # noqa: S603
                                       "--ignore-scripts"], capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                pytest.skip("npm ci did not install Postiz's client within 5 minutes")
            if done.returncode != 0 or not CLI.exists():
                last = (done.stderr.strip().splitlines() or ["no message"])[-1]
                pytest.skip(f"npm ci could not install Postiz's client ({last})")
    return [node, str(CLI)]


def run(cli: list[str], postiz, home: Path, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    # HOME: a folder of its own, so no credentials stored by a `postiz auth:login` on this machine are used.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "NO_COLOR": "1",
           "POSTIZ_API_URL": postiz.url, "POSTIZ_API_KEY": postiz.key if key is None else key}
    return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=60, cwd=home)  # noqa: S603


def answer(done: subprocess.CompletedProcess) -> Any:
    """The JSON the client prints after its one-line message."""
    assert done.returncode == 0, done.stdout + done.stderr
    starts = [i for i in (done.stdout.find("{"), done.stdout.find("[")) if i >= 0]
    return json.loads(done.stdout[min(starts):])


def keys(node: dict) -> set[str]:
    return set(node)


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "spring.jpg"
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 80, 40)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_postizs_client_lists_the_channels(postiz_cli, postiz, tmp_path):
    assert answer(run(postiz_cli, postiz, tmp_path, "integrations:list")) == postiz.channels


def test_postizs_client_is_refused_with_a_wrong_key(postiz_cli, postiz, tmp_path):
    done = run(postiz_cli, postiz, tmp_path, "integrations:list", key="not-the-key")
    assert done.returncode != 0
    assert 'API Error (401): {"msg": "Invalid API key"}' in done.stderr


def test_postizs_client_uploads_and_drafts_and_our_draft_has_the_same_shape(postiz_cli, postiz, tmp_path, photo):
    uploaded = answer(run(postiz_cli, postiz, tmp_path, "upload", str(photo)))
    assert postiz.uploads[0].data == photo.read_bytes()
    assert (uploaded["id"], uploaded["path"]) == (postiz.uploads[0].id, postiz.uploads[0].path)

    made = answer(run(postiz_cli, postiz, tmp_path, "posts:create", "-c", "Spring is here", "-m", uploaded["path"],
                      "-i", "ch-linkedin-0001", "-s", WHEN, "-t", "draft"))
    assert made == [{"postId": postiz.created[0]["postId"], "integration": "ch-linkedin-0001"}]

    ours = PostizClient(postiz.url, postiz.key)
    media = ours.upload(Upload(data=photo.read_bytes(), name=photo.name, mime="image/jpeg"))
    ours.create_draft(channel_id="ch-linkedin-0001", text="Spring is here", media=media, alt="A red field",
                      identifier="linkedin")

    theirs, mine = postiz.posts  # as Postiz keeps them: `settings.__type` set from the channel
    assert keys(mine) == keys(theirs) == {"type", "date", "shortLink", "tags", "posts"}
    assert (mine["type"], mine["tags"]) == (theirs["type"], theirs["tags"]) == ("draft", [])
    their_post, my_post = theirs["posts"][0], mine["posts"][0]
    assert keys(my_post) == keys(their_post) == {"integration", "value", "settings"}
    assert my_post["integration"] == their_post["integration"] == {"id": "ch-linkedin-0001"}
    assert my_post["settings"] == their_post["settings"] == {"__type": "linkedin"}
    their_value, my_value = their_post["value"][0], my_post["value"][0]
    # Postiz's client adds `delay` (minutes between the items of a thread; 0 for one item), which we leave out.
    assert keys(my_value) == keys(their_value) - {"delay"} == {"content", "image"}
    assert their_value["delay"] == 0
    # It puts no alt text on images (it has no option for it); Postiz's media takes `alt`, and we send it.
    their_image, my_image = their_value["image"][0], my_value["image"][0]
    assert keys(my_image) - {"alt"} == keys(their_image) == {"id", "path"}
    assert my_image["path"].endswith(".jpg") and their_image["path"] == uploaded["path"]
    # Our draft differs from Postiz's client's only in its values; its shortLink is false (the caption's links
    # are left as they are), theirs true by default.
    assert (mine["shortLink"], theirs["shortLink"]) == (False, True)


def test_postizs_client_sends_our_draft_body_as_it_is(postiz_cli, postiz, tmp_path, photo):
    ours = PostizClient(postiz.url, postiz.key)
    media = ours.upload(Upload(data=photo.read_bytes(), name=photo.name, mime="image/jpeg"))
    ours.create_draft(channel_id="ch-x-0002", text="Spring is here", media=media, alt="A red field",
                      identifier="x")
    sent = next(r.body for r in reversed(postiz.requests) if r.path.endswith("/public/v1/posts"))
    body = tmp_path / "draft.json"
    body.write_bytes(sent)

    made = answer(run(postiz_cli, postiz, tmp_path, "posts:create", "--json", str(body)))

    assert made == [{"postId": postiz.created[1]["postId"], "integration": "ch-x-0002"}]
    assert postiz.posts[1] == postiz.posts[0] == json.loads(sent)
