"""The Postiz client against the stand-in Postiz (tests/connections/postiz_standin.py), and `fit`, which makes
a preset's derivative into a file Postiz takes."""
from __future__ import annotations

import io
import wave
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from distribution import outbound
from distribution.connections.clients import Channel, Media, Problem, Upload
from distribution.connections.files import fit
from distribution.connections.postiz import ACCEPTED, MAX_IMAGE_BYTES, MAX_VIDEO_BYTES, PostizClient

MB = 1024 * 1024
# An MP4's first box (ftyp, brand isom), and a QuickTime movie's: enough for any byte sniffer.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
MOV_HEAD = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00\x00\x00\x08free"


def picture(fmt: str, size: tuple[int, int] = (320, 240), mode: str = "RGB", **options: object) -> bytes:
    im = Image.new(mode, size, (30, 120, 200, 128)[: len(mode)] if mode != "L" else 90)
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def client(postiz, key: str | None = None) -> PostizClient:
    return PostizClient(postiz.url, postiz.key if key is None else key)


def postiz_fit(data: bytes, name: str, **limits: int) -> Upload:
    return fit(data, name, accept=ACCEPTED, max_bytes=limits.get("max_bytes", MAX_IMAGE_BYTES),
               max_video_bytes=limits.get("max_video_bytes", MAX_VIDEO_BYTES))


def problem_of(call) -> Problem:
    with pytest.raises(Problem) as caught:
        call()
    return caught.value


# --- Test connection ----------------------------------------------------------------------------------------

def test_test_says_what_it_reached_with_the_bare_key_even_pasted_with_stray_whitespace(postiz):
    said = PostizClient(postiz.url + "/", f"  {postiz.key}\n").test()

    assert said == "Reached Postiz: 3 channels (LinkedIn, X, Instagram)."
    request = postiz.requests[-1]
    assert (request.method, request.path) == ("GET", "/api/public/v1/integrations")  # no double slash
    assert request.headers["authorization"] == postiz.key  # the bare key: no "Bearer"


def test_test_names_disabled_channels_and_an_empty_postiz(postiz):
    postiz.channels[1]["disabled"] = True
    assert client(postiz).test() == "Reached Postiz: 3 channels (LinkedIn, X (disabled), Instagram)."
    postiz.channels.clear()
    assert client(postiz).test() == "Reached Postiz, but it has no channels yet: connect one in Postiz first."


@pytest.mark.parametrize("key", ["wrong-key", "Bearer {key}"])
def test_a_refused_key_is_said_and_not_retried(postiz, key):
    problem = problem_of(client(postiz, key.format(key=postiz.key)).test)
    assert problem.message == "Postiz refused the API key."
    assert problem.retry_after is None


def test_an_empty_key_is_refused_before_any_call(postiz):
    assert problem_of(client(postiz, "  \n").test).message == "The Postiz API key is empty."
    assert postiz.requests == []


def test_an_html_page_is_not_postiz(postiz):
    postiz.answer_next("html")
    problem = problem_of(client(postiz).test)
    assert problem.message.startswith("This address answered, but not as Postiz does (it sent a web page")
    assert problem.retry_after is None


@pytest.mark.parametrize("answer", ["garbage", "wrong shape"])
def test_garbage_or_a_wrong_shape_is_not_postiz(postiz, answer):
    if answer == "garbage":
        postiz.answer_next("garbage")
    else:
        postiz.channels = {"integrations": []}  # JSON, but not Postiz's list
    assert problem_of(client(postiz).test).message.startswith("This address answered, but not as Postiz does (")


def test_the_site_rather_than_its_api_is_not_postiz(postiz):
    problem = problem_of(PostizClient(postiz.root, postiz.key).test)
    assert problem.message == ("This address answered, but not as Postiz does (404 Not Found for "
                               "/public/v1/integrations; the address of Postiz's API usually ends in /api).")


def test_a_redirect_is_said_not_followed(postiz):
    postiz.answer_next("redirect")
    problem = problem_of(client(postiz).test)
    assert problem.message == (f"This address sends callers elsewhere (301 to {postiz.root}/auth/login); "
                               "save the address Postiz's API answers at.")
    assert len(postiz.requests) == 1


def test_a_loopback_postiz_is_refused_unless_allowed(postiz, settings):
    settings.DAM_WEBHOOK_ALLOW_HOSTS = []
    problem = problem_of(client(postiz).test)
    assert problem.message == ("127.0.0.1 is a loopback address; only public addresses can be called unless the "
                               "host is listed in DAM_WEBHOOK_ALLOW_HOSTS.")
    assert problem.retry_after is None
    assert postiz.requests == []


def test_a_failed_tls_handshake_is_said(postiz):
    problem = problem_of(PostizClient(postiz.url.replace("http://", "https://"), postiz.key).test)
    assert problem.message.startswith("The secure connection failed")
    assert problem.retry_after is None  # a certificate does not come by waiting


def test_no_answer_in_time_is_said_quickly_and_may_be_retried(postiz, monkeypatch):
    monkeypatch.setattr(outbound, "READ_TIMEOUT", 0.3)
    postiz.answer_next("hang")
    problem = problem_of(client(postiz).test)
    assert problem.message == "Postiz did not answer within 0.3 seconds."
    assert problem.retry_after == 30
    assert problem.maybe_done  # it took the request: it may have done it


@pytest.mark.parametrize(("kind", "said"), [
    ("500", "Postiz failed (500 Internal Server Error); trying again later may help."),
    ("close", "Postiz closed the connection without a valid answer"),
])
def test_a_failing_postiz_may_be_retried(postiz, kind, said):
    postiz.answer_next(kind)
    problem = problem_of(client(postiz).test)
    assert problem.message.startswith(said)
    assert problem.retry_after == 30
    assert problem.maybe_done is (kind == "close")


# --- channels, upload, draft ----------------------------------------------------------------------------------

def test_channels_come_from_postiz(postiz):
    postiz.channels[2]["disabled"] = True
    assert client(postiz).channels() == [
        Channel(id="ch-linkedin-0001", name="LinkedIn", identifier="linkedin"),
        Channel(id="ch-x-0002", name="X", identifier="x"),
        Channel(id="ch-instagram-0003", name="Instagram", identifier="instagram", disabled=True),
    ]


def test_an_upload_and_its_draft_carry_the_body_postiz_expects(postiz):
    png = picture("PNG")
    sent = postiz_fit(png, "Logo.png")
    postiz_client = client(postiz)

    media = postiz_client.upload(sent)
    post_id = postiz_client.create_draft(channel_id="ch-linkedin-0001", text="Spring campaign", media=media,
                                         alt="The new logo on blue", when=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                                         identifier="linkedin")

    stored = postiz.uploads[0]
    assert (stored.data, stored.filename, stored.part_type, stored.mime) == (png, "Logo.png", "image/png", "image/png")
    assert media == Media(id=stored.id, path=stored.path, url=stored.path)
    assert media.path.endswith(".png")
    upload_request = postiz.requests[0]
    assert upload_request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert upload_request.headers["authorization"] == postiz.key
    assert postiz.posts == [{
        "type": "draft",
        "date": "2026-03-01T09:30:00.000Z",
        "shortLink": False,
        "tags": [],
        "posts": [{
            "integration": {"id": "ch-linkedin-0001"},
            "value": [{"content": "Spring campaign",
                       "image": [{"id": media.id, "path": media.path, "alt": "The new logo on blue"}]}],
            "settings": {"__type": "linkedin"},
        }],
    }]
    assert postiz.created == [{"postId": post_id, "integration": "ch-linkedin-0001"}]


def test_a_draft_carries_the_settings_its_provider_requires_looking_the_channel_up_once(postiz):
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("JPEG"), "a.jpg"))

    postiz_client.create_draft(channel_id="ch-x-0002", text="On X", media=media, alt="")
    postiz_client.create_draft(channel_id="ch-instagram-0003", text="On Instagram", media=media, alt="")

    assert [p["posts"][0]["settings"] for p in postiz.posts] == [
        {"__type": "x", "who_can_reply_post": "everyone"}, {"__type": "instagram", "post_type": "post"}]
    assert [r.path for r in postiz.requests].count("/api/public/v1/integrations") == 1


def test_postiz_refuses_an_x_draft_without_its_settings_and_the_client_quotes_it(postiz):
    # What Postiz says when the settings are missing (the client sends them; a hand-made body here does not).
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("JPEG"), "a.jpg"))
    postiz_client._channels = [Channel(id="ch-x-0002", name="X", identifier="")]  # provider unknown to the client
    problem = problem_of(lambda: postiz_client.create_draft(channel_id="ch-x-0002", text="t", media=media, alt=""))
    assert problem.message == ("Postiz refused the post: posts.0.settings.who_can_reply_post must be one of the "
                               "following values: everyone, following, mentionedUsers, subscribers, verified.")
    assert problem.retry_after is None


def test_a_draft_for_an_unknown_channel_or_a_media_path_postiz_refuses_is_quoted(postiz):
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("JPEG"), "a.jpg"))
    unknown = problem_of(lambda: postiz_client.create_draft(channel_id="gone", text="t", media=media, alt="",
                                                            identifier="linkedin"))
    assert unknown.message == "Postiz refused the post: Integration with id gone not found."
    tiff = Media(id=media.id, path=media.path.removesuffix(".jpg") + ".tif")
    bad_path = problem_of(lambda: postiz_client.create_draft(channel_id="ch-linkedin-0001", text="t", media=tiff,
                                                             alt="", identifier="linkedin"))
    assert bad_path.message == ("Postiz refused the post: posts.0.value.0.image.0.path File must have a valid "
                                "extension: .png, .jpg, .jpeg, .gif, .webp, .mp4.")
    assert postiz.posts == []


def test_postiz_judges_an_upload_by_its_bytes_and_its_size(postiz):
    postiz_client = client(postiz)
    disguised = Upload(data=picture("TIFF"), name="photo.jpg", mime="image/jpeg")
    problem = problem_of(lambda: postiz_client.upload(disguised))
    assert problem.message == ("Postiz refused the file: Unsupported file type. Valid extensions: .png, .jpg, .jpeg, "
                               ".gif, .webp, .mp4.")
    postiz.max_image_bytes = 1000
    heavy = problem_of(lambda: postiz_client.upload(postiz_fit(picture("PNG", (400, 400)), "x.png")))
    assert heavy.message == "Postiz refused the file: File size exceeds the maximum allowed size of 1000 bytes."
    assert postiz.uploads == []


def test_a_type_postiz_never_takes_is_not_sent(postiz):
    problem = problem_of(lambda: client(postiz).upload(Upload(data=picture("TIFF"), name="a.tif", mime="image/tiff")))
    assert problem.message == "Postiz takes JPEG, PNG, GIF, WebP and MP4 files only, not image/tiff."
    assert postiz.requests == []


def test_the_post_limit_says_how_long_to_wait(postiz):
    postiz.post_limit = 1
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("JPEG"), "a.jpg"))
    postiz_client.create_draft(channel_id="ch-linkedin-0001", text="first", media=media, alt="", identifier="linkedin")

    problem = problem_of(lambda: postiz_client.create_draft(channel_id="ch-linkedin-0001", text="second",
                                                            media=media, alt="", identifier="linkedin"))
    assert problem.message == "Postiz asks to wait 60 minutes before the next post."
    assert 3590 <= problem.retry_after <= 3600
    assert len(postiz.posts) == 1


@pytest.mark.parametrize(("retry_after", "wait", "said"), [
    (42, 42, "Postiz asks to wait 42 seconds before the next post."),
    (None, 60, "Postiz asks to wait 60 seconds before the next post."),
])
def test_a_429_waits_as_retry_after_says(postiz, retry_after, wait, said):
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("JPEG"), "a.jpg"))
    postiz.answer_next("429", retry_after=retry_after)
    problem = problem_of(lambda: postiz_client.create_draft(channel_id="ch-linkedin-0001", text="t", media=media,
                                                            alt="", identifier="linkedin"))
    assert (problem.message, problem.retry_after) == (said, wait)


def test_a_converted_tiff_goes_all_the_way_to_a_draft(postiz):
    postiz_client = client(postiz)
    media = postiz_client.upload(postiz_fit(picture("TIFF", (600, 400)), "Poster final.tiff"))
    postiz_client.create_draft(channel_id="ch-linkedin-0001", text="Poster", media=media, alt="The poster")
    assert postiz.uploads[0].name == "Poster final.jpg"
    assert postiz.uploads[0].mime == "image/jpeg"
    assert len(postiz.posts) == 1


# --- fit: what Postiz takes -----------------------------------------------------------------------------------

def test_an_accepted_picture_that_fits_is_kept_as_it_is():
    png = picture("PNG", (320, 240))
    sent = postiz_fit(png, "folder/Logo final.PNG")
    assert (sent.data, sent.name, sent.mime, sent.width, sent.height, sent.notes) == (
        png, "Logo final.png", "image/png", 320, 240, [])


def test_the_name_says_what_the_bytes_are():
    jpeg = picture("JPEG")
    assert postiz_fit(jpeg, "photo.png").name == "photo.jpg"
    assert postiz_fit(jpeg, "photo.jpeg").name == "photo.jpeg"
    assert postiz_fit(jpeg, "no extension").name == "no extension.jpg"


def test_a_tiff_becomes_a_jpeg():
    sent = postiz_fit(picture("TIFF", (600, 400)), "poster.tif")
    assert (sent.name, sent.mime, sent.width, sent.height) == ("poster.jpg", "image/jpeg", 600, 400)
    assert sent.data[:3] == b"\xff\xd8\xff"
    assert sent.notes == ["Converted from TIFF to JPEG."]


def test_a_transparent_picture_is_flattened_onto_white():
    sent = postiz_fit(picture("TIFF", (60, 40), mode="RGBA"), "logo.tiff")
    assert sent.notes == ["Converted from TIFF to JPEG.", "Its transparent parts were filled with white."]
    with Image.open(io.BytesIO(sent.data)) as im:
        r, g, b = im.convert("RGB").getpixel((30, 20))
    # Half-transparent blue over white: lighter than the blue itself.
    assert r > 100 and g > 150 and b > 200


@pytest.fixture(scope="module")
def heavy_jpeg() -> bytes:
    """A 25+ MB JPEG: noise at quality 100 without chroma subsampling (7.5 MP, quick to make)."""
    noise = np.random.default_rng(33).integers(0, 256, (2500, 3000, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, "JPEG", quality=100, subsampling=0)
    data = out.getvalue()
    assert len(data) > 25 * MB
    return data


def test_a_25_mb_jpeg_is_saved_again_under_10_mb(heavy_jpeg):
    sent = postiz_fit(heavy_jpeg, "noise.jpg")
    assert len(sent.data) <= 10 * MB
    assert (sent.name, sent.mime, sent.width, sent.height) == ("noise.jpg", "image/jpeg", 3000, 2500)
    assert sent.notes == ["Saved at JPEG quality 85 to fit Postiz's 10 MB limit."]


def test_a_jpeg_too_heavy_at_any_quality_is_made_smaller(heavy_jpeg):
    sent = postiz_fit(heavy_jpeg, "noise.jpg", max_bytes=2 * MB)
    assert len(sent.data) <= 2 * MB
    assert max(sent.width, sent.height) < 3000
    assert sent.notes == [f"Made smaller to {max(sent.width, sent.height)} px (long side) at JPEG quality 75 to "
                          "fit Postiz's 2.0 MB limit."]


def test_an_mp4_is_kept_within_the_video_limit_and_refused_above_it():
    mp4 = MP4_HEAD + b"\x00" * (21 * MB)
    sent = postiz_fit(mp4, "clip.MP4")  # over the image limit, well within the video one
    assert (sent.data, sent.name, sent.mime, sent.notes) == (mp4, "clip.mp4", "video/mp4", [])
    problem = problem_of(lambda: postiz_fit(mp4, "clip.mp4", max_video_bytes=20 * MB))
    assert problem.message == "The video is 21 MB; Postiz takes videos up to 20 MB."
    assert problem.retry_after is None


def test_a_video_that_is_not_mp4_is_refused():
    problem = problem_of(lambda: postiz_fit(MOV_HEAD + b"\x00" * 100, "clip.mov"))
    assert problem.message == ("Postiz takes MP4 videos only; this one is QuickTime, which the DAM does not convert. "
                               "Send a preset or version made as MP4.")


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


@pytest.mark.parametrize(("data", "name", "said"), [
    (wav_bytes(), "jingle.wav", "Postiz takes pictures and MP4 videos; an audio file (WAV) cannot be sent."),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "brochure.pdf",
     "Postiz takes pictures and MP4 videos, not PDF files; choose a preset that makes a picture of it."),
    (b"\x13\x37" * 300, "mystery.bin",
     "Postiz takes pictures and MP4 videos; the DAM cannot tell what this file is, so it cannot convert it."),
])
def test_what_cannot_be_converted_is_refused_in_words(data, name, said):
    problem = problem_of(lambda: postiz_fit(data, name))
    assert problem.message == said
    assert problem.retry_after is None


def test_a_broken_picture_is_refused_in_words():
    broken = picture("TIFF", (200, 200))[:300]
    problem = problem_of(lambda: postiz_fit(broken, "cut.tif"))
    assert problem.message.startswith("The TIFF file cannot be read to convert it for Postiz (")
