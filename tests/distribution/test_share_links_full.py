"""Share links at full strength: presets, recipients, watermarks, zips, exact limits, throttled passwords,
analytics, QR codes."""
from __future__ import annotations

import io
import threading
import zipfile

import pytest
from django.core import mail
from django.db import connection
from PIL import Image

from distribution.models import DownloadEvent, Preset, ShareLink, Watermark
from distribution.presets import watermark_save
from tests.factories import make_asset, png_bytes


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def create(client, assets, **extra):
    return client.post("/api/v1/share-links/", {"assets": [str(a.uid) for a in assets], **extra}, format="json")


@pytest.fixture
def small(db):
    return Preset.objects.create(name="small", label="Small", max_width=64, max_height=64, format="png")


def plain(size=(200, 150), colour=(40, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_recipients_get_a_link_each_by_email(api, client, people, small, django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], approved=True, data=plain())
    with django_capture_on_commit_callbacks(execute=True):
        response = create(api["editor"], [asset], presets=["small"], recipients=["ann@example.com", "bo@example.com"],
                          title="Spring campaign", message="Here are the pictures.")
    assert response.status_code == 201, response.json()
    links = response.json()["links"]
    assert {link["recipient"] for link in links} == {"ann@example.com", "bo@example.com"}
    assert len({link["token"] for link in links}) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bo@example.com"]
    message = next(m for m in mail.outbox if m.to == ["ann@example.com"])
    ann = next(link for link in links if link["recipient"] == "ann@example.com")
    assert ann["url"].split("testserver")[-1] in message.body and "Here are the pictures." in message.body
    client.get(f"/s/{ann['token']}/download/{asset.uid}/?preset=small")
    event = DownloadEvent.objects.get(share_link_id=ann["id"])
    assert event.recipient == "ann@example.com" and event.preset == "small" and event.channel == "share"


def test_bad_recipients_and_presets_are_refused(api, people):
    asset = make_asset(people["editor"], approved=True)
    bad = create(api["editor"], [asset], recipients=["not-an-address"])
    assert bad.status_code == 400 and "recipients" in bad.json()["errors"]
    assert create(api["editor"], [asset], presets=["nope"]).status_code == 400
    Preset.objects.create(name="master", label="Master", format="png", restricted=True)
    assert create(api["editor"], [asset], presets=["master"]).status_code == 400
    assert not ShareLink.objects.exists()


def test_a_link_on_a_draft_or_an_invisible_asset_is_refused(api, people):
    draft = make_asset(people["editor"])
    assert create(api["editor"], [draft]).status_code == 400
    other = make_asset(people["contributor"])
    assert create(api["brand_manager"], [other]).status_code == 400


def watermark(text="For {recipient}"):
    return watermark_save(actor=None, name="Confidential", kind="text", text=text, position="center", scale=80,
                          opacity=100)


def test_a_watermarked_link_marks_each_recipients_files(api, client, people, small):
    asset = make_asset(people["editor"], approved=True, data=plain((400, 300)))
    mark = watermark()
    response = create(api["editor"], [asset], presets=["small"], watermark=mark.name,
                      recipients=["ann@example.com", "bo@example.com"])
    links = {link["recipient"]: link["token"] for link in response.json()["links"]}
    marked = {who: body(client.get(f"/s/{token}/download/{asset.uid}/?preset=small")) for who, token in links.items()}
    unmarked = body(api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/?preset=small"))
    assert marked["ann@example.com"] != marked["bo@example.com"]  # whose it was, in the pixels
    for data in marked.values():
        assert data != unmarked
        picture = Image.open(io.BytesIO(data)).convert("RGB")
        assert picture.size == (64, 48)
        assert any(max(picture.getpixel((x, 24))) > 200 for x in range(64))  # white letters over blue
    plain_picture = Image.open(io.BytesIO(unmarked)).convert("RGB")
    assert all(max(plain_picture.getpixel((x, 24))) < 210 for x in range(64))
    # The page's previews are marked too; the original is never offered with a watermark.
    assert create(api["editor"], [asset], presets=["original"], watermark=mark.name).status_code == 400


def test_watermark_images_must_be_small_pngs(api):
    jpeg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(jpeg, "JPEG")
    jpeg.seek(0)
    jpeg.name = "mark.jpg"
    refused = api["admin"].post("/api/v1/watermarks/", {"name": "Logo", "kind": "image", "image": jpeg},
                                format="multipart")
    assert refused.status_code == 400 and "PNG" in refused.json()["errors"]["image"][0]
    huge = io.BytesIO(png_bytes(size=(4100, 10)))
    huge.name = "huge.png"
    refused = api["admin"].post("/api/v1/watermarks/", {"name": "Logo", "kind": "image", "image": huge},
                                format="multipart")
    assert refused.status_code == 400 and "4,000" in refused.json()["errors"]["image"][0]
    logo = io.BytesIO()
    Image.new("RGBA", (40, 20), (255, 0, 0, 128)).save(logo, "PNG")
    logo.seek(0)
    logo.name = "logo.png"
    made = api["admin"].post("/api/v1/watermarks/", {"name": "Logo", "kind": "image", "image": logo,
                                                     "position": "bottom-right", "scale": 30, "opacity": 60},
                             format="multipart")
    assert made.status_code == 201, made.json()
    assert api["editor"].post("/api/v1/watermarks/", {"name": "X", "kind": "text", "text": "x"},
                              format="json").status_code == 403
    assert not Watermark.objects.filter(name="X").exists()


def test_an_image_watermark_on_a_preset(api, people):
    asset = make_asset(people["editor"], approved=True, data=plain((400, 300), (0, 0, 0)))
    logo = io.BytesIO()
    Image.new("RGBA", (40, 40), (255, 255, 255, 255)).save(logo, "PNG")
    logo.seek(0)
    logo.name = "logo.png"
    api["admin"].post("/api/v1/watermarks/", {"name": "Logo", "kind": "image", "image": logo, "position": "center",
                                              "scale": 50, "opacity": 100}, format="multipart")
    created = api["admin"].post("/api/v1/presets/", {"name": "branded", "max_width": 100, "max_height": 100,
                                                     "format": "png", "watermark": "Logo"}, format="json")
    assert created.status_code == 201, created.json()
    picture = Image.open(io.BytesIO(body(api["viewer"].get(
        f"/api/v1/assets/{asset.uid}/download/?preset=branded")))).convert("RGB")
    assert picture.getpixel((50, 37)) == (255, 255, 255)  # the mark in the middle
    assert picture.getpixel((2, 2)) == (0, 0, 0)  # the picture around it


def test_download_all_as_a_zip_counts_once(api, client, people, small):
    first = make_asset(people["editor"], approved=True, data=plain(), title="Same name")
    second = make_asset(people["editor"], approved=True, data=plain(colour=(9, 9, 9)), title="Same name")
    link = create(api["editor"], [first, second], presets=["small", "original"], max_downloads=2).json()
    page = client.get(f"/s/{link['token']}/")
    assert b"Download all (zip)" in page.content and b"2 of 2 downloads left" in page.content
    response = client.get(f"/s/{link['token']}/zip/?preset=small")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = body(response)
    assert int(response["Content-Length"]) == len(data)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 and len(set(names)) == 2 and all(n.endswith(".png") for n in names)
    assert ShareLink.objects.get(pk=link["id"]).download_count == 1
    assert DownloadEvent.objects.filter(share_link_id=link["id"], channel="zip").count() == 2
    assert b"1 of 2 downloads left" in client.get(f"/s/{link['token']}/").content


def test_opens_and_downloads_are_counted_for_analytics(api, web, client, people, small):
    asset = make_asset(people["editor"], approved=True, data=plain())
    link = create(api["editor"], [asset], presets=["small"], recipients=["ann@example.com"]).json()
    client.get(f"/s/{link['token']}/")
    client.get(f"/s/{link['token']}/")
    client.get(f"/s/{link['token']}/download/{asset.uid}/?preset=small")
    data = api["editor"].get(f"/api/v1/share-links/{link['id']}/analytics/").json()
    assert data["opens"] == 2 and data["downloads"] == 1
    assert data["by_preset"] == [{"preset": "small", "downloads": 1}]
    assert data["by_recipient"][0]["recipient"] == "ann@example.com"
    assert data["days"][-1]["opens"] == 2
    page = web("editor").get(f"/share-links/{link['id']}/")
    assert page.status_code == 200 and b"<svg" in page.content and b"data-copy" in page.content
    assert b"2 opens and 1 download" in page.content
    assert api["viewer"].get(f"/api/v1/share-links/{link['id']}/analytics/").status_code in (403, 404)


def test_wrong_passwords_meet_429(api, client, people):
    asset = make_asset(people["editor"], approved=True)
    link = create(api["editor"], [asset], password="s3cret").json()
    url = f"/s/{link['token']}/"
    statuses = [client.post(url, {"password": f"guess-{n}"}).status_code for n in range(12)]
    assert statuses[:10] == [403] * 10 and statuses[10:] == [429, 429]
    refused = client.post(url, {"password": "s3cret"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_a_link_from_a_lightbox(api, people, small):
    shown = make_asset(people["editor"], approved=True, title="Approved one")
    draft = make_asset(people["editor"], title="A draft")
    box = api["editor"].post("/api/v1/lightboxes/", {"name": "Press kit", "assets": [str(shown.uid), str(draft.uid)]},
                             format="json").json()
    response = api["editor"].post("/api/v1/share-links/", {"lightbox": box["id"], "presets": ["small"]}, format="json")
    assert response.status_code == 400  # the draft cannot be shared
    api["editor"].delete(f"/api/v1/lightboxes/{box['id']}/assets/", {"assets": [str(draft.uid)]}, format="json")
    response = api["editor"].post("/api/v1/share-links/", {"lightbox": box["id"], "presets": ["small"]}, format="json")
    assert response.status_code == 201 and response.json()["assets"] == [str(shown.uid)]
    assert api["viewer"].post("/api/v1/share-links/", {"lightbox": box["id"]}, format="json").status_code in (403, 404)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_exactly_n_of_20_concurrent_downloads_succeed(people, small):
    from rest_framework.test import APIClient

    from tests.conftest import _client_for

    asset = make_asset(people["editor"], approved=True, data=plain())
    link = create(_client_for(people["editor"]), [asset], presets=["original"], max_downloads=5).json()
    statuses: list[int] = []
    start = threading.Barrier(20)

    def fetch() -> None:
        client = APIClient()
        start.wait()
        try:
            response = client.get(f"/s/{link['token']}/download/{asset.uid}/?preset=original")
            if response.streaming:
                b"".join(response.streaming_content)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(200) == 5 and statuses.count(410) == 15
    assert ShareLink.objects.get(pk=link["id"]).download_count == 5


def test_share_a_selection_from_the_search(web, people):
    shown = make_asset(people["editor"], approved=True, title="Approved")
    draft = make_asset(people["editor"], title="Draft")
    client = web("editor")
    page = client.get("/assets/?view=table")
    assert b"Share selected" in page.content
    start = client.post("/share-links/new/", {"uids": [str(shown.uid), str(draft.uid)]})
    assert start.status_code == 200 and b"Approved" in start.content
    assert b"1 of the selected assets is not" in start.content
    assert b"errorlist" not in start.content and b'class="error"' not in start.content
    made = client.post("/share-links/new/", {"asset": [str(shown.uid)], "presets": ["web"], "expiry": "30"})
    assert made.status_code == 302
    link = ShareLink.objects.get()
    assert (link.expires_at - link.created_at).days in (29, 30)
    assert b"Share selected" not in web("viewer").get("/assets/?view=table").content


def test_a_lightbox_as_a_zip(api, web, people, small):
    one = make_asset(people["editor"], approved=True, data=plain(), title="One")
    two = make_asset(people["editor"], approved=True, data=plain(colour=(1, 2, 3)), title="Two")
    draft = make_asset(people["editor"], title="Draft")
    box = api["viewer"].post("/api/v1/lightboxes/", {"name": "Mine", "assets": [str(one.uid), str(two.uid)]},
                             format="json").json()
    editor_box = api["editor"].post("/api/v1/lightboxes/", {"name": "With a draft", "assets": [
        str(one.uid), str(draft.uid)]}, format="json").json()
    response = api["viewer"].get(f"/api/v1/lightboxes/{box['id']}/zip/?preset=small")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(body(response))).namelist()
    assert len(set(names)) == 2 and all(n.startswith("picture-small") and n.endswith(".png") for n in names)
    assert DownloadEvent.objects.filter(channel="zip", user=people["viewer"]).count() == 2
    originals = api["editor"].get(f"/api/v1/lightboxes/{editor_box['id']}/zip/")
    assert len(zipfile.ZipFile(io.BytesIO(body(originals))).namelist()) == 2  # editors see their drafts
    assert api["viewer"].get(f"/api/v1/lightboxes/{editor_box['id']}/zip/").status_code == 404
    assert api["viewer"].get(f"/api/v1/lightboxes/{box['id']}/zip/?preset=nope").status_code == 400
    page = web("viewer").get(f"/lightboxes/{box['id']}/")
    assert b"Download as zip" in page.content
    assert web("viewer").get(f"/lightboxes/{box['id']}/zip/?preset=small").status_code == 200
