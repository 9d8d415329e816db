"""Hostile input that the corpus does not carry, made here: embedded metadata written to attack the pages that
show it, files the DAM has no reader for, and media files that point elsewhere (issue #31).

Each test asserts the safe outcome: a page that renders (escaped), a clear refusal, or a stored original with
its renditions failed for a stated reason; never a server error, never a reference followed.
"""
from __future__ import annotations

import contextlib
import io
import json
import socket
import struct
import threading
from collections.abc import Iterator

import av
import numpy as np
import pyexiv2
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.formats import IMAGE_MIME_TYPES
from assets.models import Asset, AssetVersion, Rendition
from ingest.models import IngestItem
from taxonomy.models import TermProposal
from tests.ingest.helpers import CORPUS, open_batch, send, stored_files
from workflows import services as workflow

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
SQL = "'; DROP TABLE assets_asset; --"
LONG = 64 * 1024


# --- making the files ---------------------------------------------------------------------------

def jpeg(*, exif: dict[int, str] | None = None, xmp: dict[str, object] | None = None,
         iptc: dict[str, object] | None = None, xmp_packet: bytes | None = None, seed: int = 0) -> bytes:
    """A small JPEG carrying the given EXIF tags (Pillow), XMP and IPTC (exiv2), or a hand-made XMP packet."""
    picture = Image.new("RGB", (96, 64), (20 + seed, 110, 190))
    tags = Image.Exif()
    for tag, value in (exif or {}).items():
        tags[tag] = value
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=tags, **({"xmp": xmp_packet} if xmp_packet else {}))
    data = out.getvalue()
    if xmp or iptc:
        image = pyexiv2.ImageData(data)
        try:
            if xmp:
                image.modify_xmp(xmp)
            if iptc:
                image.modify_iptc(iptc)
            data = image.get_bytes()
        finally:
            image.close()
    return data


# EXIF ImageDescription, Make, Model, Artist, Copyright: description, camera facet, creator, rights holder.
DESCRIPTION, MAKE, MODEL, ARTIST, COPYRIGHT = 0x010E, 0x010F, 0x0110, 0x013B, 0x8298


def everywhere(value: str) -> bytes:
    """`value` in every text field the DAM maps or shows, in all three places (EXIF, XMP and IPTC)."""
    return jpeg(exif={DESCRIPTION: value, MAKE: value, MODEL: value, ARTIST: value, COPYRIGHT: value},
                xmp={"Xmp.dc.title": value, "Xmp.dc.description": value, "Xmp.dc.creator": [value],
                     "Xmp.dc.rights": value, "Xmp.dc.subject": [value, "harbour"], "Xmp.photoshop.City": value,
                     "Xmp.photoshop.Headline": value, "Xmp.xmpRights.UsageTerms": value},
                iptc={"Iptc.Application2.ObjectName": value, "Iptc.Application2.Caption": value,
                      "Iptc.Application2.Byline": [value], "Iptc.Application2.Keywords": [value],
                      "Iptc.Application2.City": value, "Iptc.Application2.Copyright": value})


def as_long_as_fits() -> bytes:
    """64 KB values. A JPEG segment holds at most 65,533 bytes, so the EXIF and XMP ones are as long as their
    segment allows (exiv2 refuses a longer XMP, Pillow a longer EXIF); IPTC takes the whole 64 KB, which
    exiv2 spreads over two APP13 segments."""
    return jpeg(exif={DESCRIPTION: "E" * 65_000, ARTIST: "A" * 300},
                xmp={"Xmp.dc.title": "T" * 20_000, "Xmp.dc.rights": "R" * 20_000, "Xmp.dc.subject": ["S" * 20_000]},
                iptc={"Iptc.Application2.Caption": "I" * LONG, "Iptc.Application2.Keywords": ["K" * LONG]})


# An XMP packet that is malformed and hostile at once: an external entity (XXE) and nested entities (a
# "billion laughs"), and a NUL byte, which XML forbids. defusedxml must refuse it; the rest of the file stays.
HOSTILE_XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&xxe;&c;</dc:title>
<dc:description>before\x00after</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


HOSTILE_FILES = {
    "script": lambda: everywhere(SCRIPT),
    "sql": lambda: everywhere(SQL),
    # EXIF and IPTC keep a NUL inside a value (exiv2 would cut the XMP one short, so XMP has none here).
    "nul": lambda: jpeg(exif={DESCRIPTION: "Harbour\x00 at dawn", ARTIST: "Ann\x00 Lee", MAKE: "Can\x00on"},
                        iptc={"Iptc.Application2.Caption": "Harbour\x00 at dawn",
                              "Iptc.Application2.Keywords": ["boats\x00", "\x00"]}),
    "long": as_long_as_fits,
    "malformed": lambda: jpeg(exif={DESCRIPTION: "Harbour at dawn"}, xmp_packet=HOSTILE_XMP),
}


# --- the pages that show metadata ------------------------------------------------------------------

def metadata_pages(asset: Asset, batch_id: int) -> list[str]:
    uid = asset.uid
    return [f"/assets/{uid}/", f"/assets/{uid}/edit/", f"/reviews/versions/{asset.current_version_id}/",
            f"/assets/upload/batches/{batch_id}/", "/assets/", "/assets/?view=table"]


def assert_safe_html(response, url: str) -> str:
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert SCRIPT not in html, url  # never the raw markup
    assert "\x00" not in html, url
    return html


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_hostile_embedded_metadata_is_shown_escaped_on_every_page(kind, api, web, people,
                                                                   django_capture_on_commit_callbacks):
    batch = open_batch(api["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        item, = send(api["editor"], batch["id"], HOSTILE_FILES[kind](), f"{kind}.jpg")
    # Metadata, however hostile, is never a reason to lose the file.
    assert item["outcome"] == "created", item
    asset = Asset.objects.get(uid=item["asset"]["uid"])
    version = asset.current_version
    # What was kept fits its columns (PostgreSQL would refuse a longer title or camera name with an error
    # page) and holds no NUL (PostgreSQL's jsonb and text refuse one).
    for field in ("title", "rights_holder"):
        assert len(getattr(asset, field)) <= Asset._meta.get_field(field).max_length, field
    assert len(version.camera_make) <= 100 and len(version.camera_model) <= 100
    stored = json.dumps([version.embedded_metadata, asset.metadata, asset.title, asset.description,
                         asset.rights_holder, asset.usage_terms])
    assert "\\u0000" not in stored
    # Submitted, so the review page shows the metadata as a reviewer sees it.
    workflow.version_submit(version_id=version.pk, actor=people["editor"])

    for url in metadata_pages(asset, batch["id"]):
        html = assert_safe_html(web("editor").get(url), url)
        if kind == "script":
            assert ESCAPED_SCRIPT in html, url  # shown, as text
    librarian = assert_safe_html(web("librarian").get("/assets/proposals/"), "/assets/proposals/")
    brand_manager = assert_safe_html(web("brand_manager").get(f"/reviews/versions/{version.pk}/"), "review")
    if kind == "script":
        assert ESCAPED_SCRIPT in librarian  # the embedded keyword became a proposal, shown as text
        assert ESCAPED_SCRIPT in brand_manager
    # A search for the hostile text is only words to the search.
    for q in (SCRIPT, SQL, "\x00"):
        response = web("editor").get("/assets/", {"q": q})
        assert response.status_code == 200 and SCRIPT not in response.content.decode(), q
        # The API refuses a NUL in a parameter (400, "Null characters are not allowed"): a clear answer too.
        assert api["editor"].get("/api/v1/assets/", {"q": q}).status_code == (400 if q == "\x00" else 200)

    response = api["editor"].get(f"/api/v1/assets/{asset.uid}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)  # valid JSON, whatever the values held
    assert "\\u0000" not in response.content.decode()
    assert body["uid"] == str(asset.uid)
    assert Asset.objects.filter(pk=asset.pk).exists()  # and the table is still there

    if kind == "script":
        assert asset.title == SCRIPT and asset.description == SCRIPT  # kept as written, escaped when shown
        assert body["title"] == SCRIPT
    elif kind == "sql":
        assert asset.title == SQL and asset.rights_holder == SQL
        assert [r["uid"] for r in api["editor"].get("/api/v1/assets/", {"q": "DROP TABLE"}).json()["results"]] == [
            str(asset.uid)]
    elif kind == "nul":
        assert asset.description == "Harbour at dawn" and asset.metadata["creator"] == "Ann Lee"
        assert version.camera_make == "Canon"
        assert version.embedded_metadata["iptc"]["Caption-Abstract"] == "Harbour at dawn"
        assert version.embedded_metadata["keywords"] == ["boats"]  # the keyword that was only a NUL is gone
        assert "Harbour at dawn" in web("editor").get(f"/assets/{asset.uid}/").content.decode()
    elif kind == "long":
        # Kept up to the DAM's own limit on embedded text (4,000 characters), cut where a column ends.
        assert asset.title == "T" * 300 and asset.rights_holder == "R" * 200
        assert asset.description == "E" * 4000 and asset.metadata["creator"] == "A" * 300
        assert version.embedded_metadata["keywords"] == ["S" * 4000]
        assert TermProposal.objects.get(asset=asset).label == "S" * 300  # proposed as a term, cut to its column
        # A 64 KB IPTC dataset is past what IIM allows (Pillow refuses the block): the rest is kept.
        assert len(version.embedded_metadata["iptc"].get("Caption-Abstract", "")) <= 4000
    elif kind == "malformed":
        meta = version.embedded_metadata
        assert meta["xmp"] == {}  # the whole packet refused, no entity expanded
        assert "root:" not in json.dumps(meta) and "aaaaaaaaaa" not in json.dumps(meta)
        assert asset.description == "Harbour at dawn"  # the EXIF beside it kept


# --- files the DAM has no reader for ----------------------------------------------------------------

def xcf_bytes(width: int = 64, height: int = 48) -> bytes:
    """The smallest valid GIMP image (XCF version 0): header, no properties, no layers, no channels."""
    return (b"gimp xcf file\x00" + struct.pack(">III", width, height, 0)  # RGB
            + struct.pack(">II", 0, 0)  # PROP_END
            + struct.pack(">I", 0) + struct.pack(">I", 0))  # no layer, no channel offsets


def ingest_one(api, data: bytes, name: str, captured) -> dict:
    with captured(execute=True):
        item, = send(api["editor"], open_batch(api["editor"])["id"], data, name)
    return item


def downloaded(api, uid: str) -> bytes:
    response = api["editor"].get(f"/api/v1/assets/{uid}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_gimp_image_is_kept_as_a_download_with_a_type_icon(api, web, django_capture_on_commit_callbacks):
    data = xcf_bytes()
    item = ingest_one(api, data, "poster.xcf", django_capture_on_commit_callbacks)
    assert item["outcome"] == "created", item
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    # libmagic names it, nothing here decodes it: no rendition is even attempted.
    assert version.mime_type == "image/x-xcf" and not version.renditions.exists()
    page = web("editor").get(f"/assets/{item['asset']['uid']}/")
    assert page.status_code == 200
    assert 'placeholder big type-image">Image<small>image/x-xcf</small>' in page.content.decode()  # the icon
    assert web("editor").get(f"/assets/{item['asset']['uid']}/v1/thumb.jpg").status_code == 404
    assert downloaded(api, item["asset"]["uid"]) == data  # the original, byte for byte


def test_a_heic_the_heif_opener_does_not_take_is_refused_at_ingest_with_a_sentence(
        api, monkeypatch, media_in_tmp, django_capture_on_commit_callbacks):
    # As with a HEIF brand this libheif does not know: the opener is there, but declines the file.
    factory, _ = Image.OPEN["HEIF"]
    monkeypatch.setitem(Image.OPEN, "HEIF", (factory, lambda prefix: False))
    item = ingest_one(api, (CORPUS / "real/samplefilehub.heif").read_bytes(), "phone.heic",
                      django_capture_on_commit_callbacks)
    assert item["outcome"] == "rejected"
    assert item["reason"] == "The file is not a readable image (UnidentifiedImageError)."
    assert IngestItem.objects.get(pk=item["id"]).reason == item["reason"]
    assert not Asset.objects.exists() and stored_files(media_in_tmp) == []


# What pillow-heif raises when libheif cannot decode: SyntaxError when it has no decoder for the codec
# ("Unsupported feature"), RuntimeError for its other errors (memory, security limits, a plugin that failed).
HEIF_DECODE_FAILURES = [SyntaxError("Unsupported codec: No decoding plugin installed for this compression format"),
                        RuntimeError("Memory allocation error: Security limit exceeded")]


@pytest.mark.parametrize("failure", HEIF_DECODE_FAILURES, ids=lambda e: e.__class__.__name__)
def test_a_heic_the_worker_cannot_decode_gets_failed_renditions_and_keeps_its_original(
        failure, api, web, monkeypatch, django_capture_on_commit_callbacks):
    from pillow_heif.as_plugin import HeifImageFile

    from assets.services import renditions_generate

    data = (CORPUS / "real/samplefilehub.heif").read_bytes()
    with django_capture_on_commit_callbacks(execute=False):  # ingested here; rendered where decoding fails
        item, = send(api["editor"], open_batch(api["editor"])["id"], data, "phone.heic")
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])

    def cannot_decode(self):
        raise failure

    monkeypatch.setattr(HeifImageFile, "load", cannot_decode)
    made = renditions_generate(version_id=version.pk)
    assert {r.status for r in made} == {Rendition.Status.FAILED}
    assert {r.error for r in made} == {f"Preview unavailable: {failure}"}
    assert web("editor").get(f"/assets/{item['asset']['uid']}/").status_code == 200
    assert default_storage.open(version.file.name).read() == data


def video_bytes(seconds: int = 1, fmt: str = "mp4", size: tuple[int, int] = (160, 96)) -> bytes:
    """A short MPEG-4 Part 2 video in the given container (mp4, mov, mpegts)."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for n in range(seconds * 10):
            frame = np.full((size[1], size[0], 3), (n * 8 % 256, 120, 200), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def undecodable(container: str) -> bytes:
    """A real MP4 or MOV whose video stream names a codec no decoder knows: its sample entry's four-character
    code is made up, and the esds box, from which FFmpeg could still guess MPEG-4, is renamed out of sight."""
    data = video_bytes(2, fmt=container)
    assert data.count(b"mp4v") == 1 and data.count(b"esds") == 1
    return data.replace(b"mp4v", b"zzzz").replace(b"esds", b"zzzz")


@pytest.mark.parametrize("container,name", [("mp4", "clip.mp4"), ("mov", "clip.mov")])
def test_a_video_in_a_codec_nothing_decodes_is_kept_with_its_renditions_failed(
        container, name, api, web, django_capture_on_commit_callbacks):
    data = undecodable(container)
    item = ingest_one(api, data, name, django_capture_on_commit_callbacks)
    assert item["outcome"] == "created", item
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.asset.asset_type == "video"
    renditions = list(version.renditions.all())
    assert len(renditions) == 3 and {r.status for r in renditions} == {Rendition.Status.FAILED}
    assert all(r.error.startswith("Preview unavailable: ") for r in renditions), [r.error for r in renditions]
    page = web("editor").get(f"/assets/{item['asset']['uid']}/")
    assert page.status_code == 200 and "Preview unavailable" in page.content.decode()
    assert downloaded(api, item["asset"]["uid"]) == data


# --- media files that point elsewhere --------------------------------------------------------------

@contextlib.contextmanager
def listener() -> Iterator[tuple[int, list]]:
    """A TCP port on loopback that records every connection made to it, and drops it at once (so a client that
    does connect fails fast instead of waiting for an answer)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    seen: list = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                connection, address = server.accept()
                seen.append(address)
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join()
        server.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # one that arrived as the thread stopped is still queued
            seen.append(server.accept()[1])
        server.close()


def playlists(port: int, secret: str) -> dict[str, bytes]:
    """Files that make FFmpeg open other files or URLs, if anything hands them to it."""
    segment = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{}\n#EXT-X-ENDLIST\n"
    return {
        "hls-file": segment.format("file:///etc/passwd").encode(),
        "hls-local-video": segment.format(f"file://{secret}").encode(),
        "hls-http": segment.format(f"http://127.0.0.1:{port}/x.ts").encode(),
        "ffconcat": f"ffconcat version 1.0\nfile {secret}\nfile http://127.0.0.1:{port}/x.ts\n".encode(),
    }


@pytest.fixture
def secret_video(tmp_path):
    """A real video on this machine, outside the DAM: a reference followed to it would show in what was read."""
    path = tmp_path / "secret.ts"
    path.write_bytes(video_bytes(1, fmt="mpegts"))
    return str(path)


@pytest.fixture
def ffmpeg_opens(monkeypatch) -> list:
    """What anything gives PyAV's av.open to read during the test."""
    opened: list = []
    real_open = av.open

    def recording(file, mode="r", *args, **kwargs):
        if mode == "r":
            opened.append(getattr(file, "name", file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(av, "open", recording)
    return opened


@pytest.mark.parametrize("name", ["clip.mp4", "clip.m3u8"])
@pytest.mark.parametrize("kind", ["hls-file", "hls-local-video", "hls-http", "ffconcat"])
def test_a_playlist_is_refused_or_kept_opaque_and_its_references_never_followed(
        kind, name, api, secret_video, ffmpeg_opens, django_capture_on_commit_callbacks):
    with listener() as (port, connections):
        item = ingest_one(api, playlists(port, secret_video)[kind], name, django_capture_on_commit_callbacks)
    assert connections == []
    assert ffmpeg_opens == []  # FFmpeg never saw it: a playlist is text, not a video
    if name == "clip.mp4":
        assert item["outcome"] == "rejected"
        assert item["reason"] == "The file is named like a MP4 file (video/mp4), but its content is text/plain."
        return
    assert item["outcome"] == "created", item
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert (version.mime_type, version.asset.asset_type) == ("text/plain", "document")
    assert not version.renditions.exists() and "media" not in version.embedded_metadata


def test_the_video_readers_follow_no_reference_whatever_type_they_are_given(secret_video):
    """Behind the type check, the video readers hold on their own: were a playlist ever typed as a video, FFmpeg
    would pick its demuxer by content and name (an .m3u8 name is enough for HLS) and open what it lists: the
    probe would read the secret video's facts, the rendition job would make its frame the preview."""
    from assets import renditions
    from ingest.probe import probe

    with listener() as (port, connections):
        for kind, data in playlists(port, secret_video).items():
            found = probe(SimpleUploadedFile("clip.m3u8", data), "video/mp4", image_types=IMAGE_MIME_TYPES)
            assert (found.width, found.duration) == (None, None), kind  # nothing read from the secret video
            assert "media" not in found.extracted.raw, kind
            with pytest.raises(renditions.RenditionFailed):  # no frame: not the secret video's
                renditions._decode_video(SimpleUploadedFile("clip.m3u8", data))
    assert connections == []
