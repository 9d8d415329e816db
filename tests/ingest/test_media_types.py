"""PDF, video, audio, office and SVG files: facts read at ingest, previews where there can be one."""
from __future__ import annotations

import io
import math
import struct
import wave

import av
import numpy as np
import pytest
from PIL import Image

from assets import renditions
from assets.models import AssetVersion, Rendition
from tests.ingest.helpers import open_batch, send


def pdf_bytes(pages: int = 3) -> bytes:
    images = [Image.new("RGB", (300, 400), (40 * n, 90, 160)) for n in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], title="Quarterly report", author="Finance")
    return out.getvalue()


def video_bytes(seconds: int = 3, size: tuple[int, int] = (160, 96)) -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
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


def wav_bytes(seconds: float = 1.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(int(seconds * rate))))
    return out.getvalue()


def ingest(api, data: bytes, name: str, captured) -> AssetVersion:
    with captured(execute=True):
        item = send(api["editor"], open_batch(api["editor"])["id"], data, name)[0]
    assert item["outcome"] == "created", item
    return AssetVersion.objects.get(asset__uid=item["asset"]["uid"])


def test_pdf_gets_its_page_count_title_and_a_first_page_preview(api, django_capture_on_commit_callbacks):
    version = ingest(api, pdf_bytes(3), "report.pdf", django_capture_on_commit_callbacks)
    assert version.mime_type == "application/pdf" and version.pages == 3 and version.asset.asset_type == "document"
    assert version.asset.title == "Quarterly report" and version.asset.metadata["creator"] == "Finance"
    preview = version.renditions.get(preset="preview")
    assert preview.status == Rendition.Status.READY, preview.error
    assert max(preview.width, preview.height) == 1600  # rendered at the preset's size, not upscaled from 400


def test_video_gets_duration_codec_dimensions_and_a_poster_frame(api, django_capture_on_commit_callbacks):
    version = ingest(api, video_bytes(3), "clip.mp4", django_capture_on_commit_callbacks)
    assert version.asset.asset_type == "video"
    assert (version.width, version.height) == (160, 96)
    assert version.duration == pytest.approx(3.0, abs=0.3)
    assert version.embedded_metadata["media"]["codec"] == "mpeg4"
    thumb = version.renditions.get(preset="thumb")
    assert thumb.status == Rendition.Status.READY, thumb.error
    assert (thumb.width, thumb.height) == (160, 96)


def test_audio_gets_its_duration_and_a_type_icon(api, web, django_capture_on_commit_callbacks):
    version = ingest(api, wav_bytes(1.5), "jingle.wav", django_capture_on_commit_callbacks)
    assert version.asset.asset_type == "audio"
    assert version.duration == pytest.approx(1.5, abs=0.05)
    assert version.embedded_metadata["audio"]["sample_rate"] == 8000
    assert not version.renditions.exists()
    page = web("editor").get(version.asset.get_absolute_url()).content.decode()
    assert "type-audio" in page and "1.5 s" in page


def test_office_and_text_files_are_stored_with_a_type_icon(api, web, django_capture_on_commit_callbacks):
    version = ingest(api, b"name,size\nboat,12\n", "inventory.csv", django_capture_on_commit_callbacks)
    assert version.asset.asset_type == "document" and not version.renditions.exists()
    assert "type-document" in web("editor").get(version.asset.get_absolute_url()).content.decode()


def test_heic_opens_through_pillow_heif(api, django_capture_on_commit_callbacks):
    from tests.ingest.helpers import CORPUS
    version = ingest(api, (CORPUS / "real/samplefilehub.heif").read_bytes(), "phone.heic",
                     django_capture_on_commit_callbacks)
    assert version.mime_type == "image/heic" and (version.width, version.height) == (640, 426)
    assert version.renditions.get(preset="web").status == Rendition.Status.READY


def test_renditions_are_sized_per_preset_and_made_smaller_from_larger(api, django_capture_on_commit_callbacks):
    big = Image.effect_noise((3000, 2000), 40).convert("RGB")
    out = io.BytesIO()
    big.save(out, "JPEG", quality=80)
    version = ingest(api, out.getvalue(), "big.jpg", django_capture_on_commit_callbacks)
    sizes = {r.preset: (r.width, r.height) for r in version.renditions.all()}
    # 1066, not 1067: the preview is scaled from the 2048 px web rendition, not decoded again from the original.
    assert sizes == {"web": (2048, 1365), "preview": (1600, 1066), "thumb": (400, 267)}


def test_a_rendition_is_never_visible_half_written(settings, tmp_path, monkeypatch):
    from django.core.files.storage import default_storage
    name = renditions.save_atomically("renditions/ab/x.jpg", b"complete")
    assert default_storage.open(name).read() == b"complete"
    assert [p.name for p in (tmp_path / "media" / "renditions" / "ab").iterdir()] == ["x.jpg"]

    def crash(*args):
        raise OSError("disk full")
    monkeypatch.setattr(renditions.os, "replace", crash)
    with pytest.raises(OSError):
        renditions.save_atomically("renditions/ab/y.jpg", b"partial")
    assert [p.name for p in (tmp_path / "media" / "renditions" / "ab").iterdir()] == ["x.jpg"]


def test_rendition_jobs_are_queued_with_a_timeout_after_commit(api, monkeypatch, django_capture_on_commit_callbacks):
    from assets.services import renditions as services
    queued = []
    monkeypatch.setattr(services, "async_task", lambda *args, **kwargs: queued.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(api["editor"], open_batch(api["editor"])["id"], pdf_bytes(1), "a.pdf")
    assert queued == []  # nothing before the commit
    # The pending rows are written with the version, so no one sees a version without them.
    assert sorted(Rendition.objects.values_list("preset", "status")) == [
        ("preview", "pending"), ("thumb", "pending"), ("web", "pending")]
    for callback in callbacks:
        callback()
    (args, kwargs), = queued
    assert args[0] == "assets.tasks.renditions_generate_task"
    from django.conf import settings
    assert 0 < kwargs["timeout"] < settings.Q_CLUSTER["retry"]


def test_colours_are_converted_to_srgb_through_the_embedded_profile():
    from tests.ingest.helpers import CORPUS
    with Image.open(CORPUS / "real/BSG1.tiff") as source:
        icc = source.info["icc_profile"]  # an Apple "Color LCD" display profile, not sRGB
        source.load()
        plain = source.convert("RGB")
        converted = renditions.to_srgb(source, icc)
    assert converted.mode == "RGB" and converted.size == plain.size
    assert converted.tobytes() != plain.tobytes()  # the profile was applied, not ignored
    broken = renditions.to_srgb(plain, b"not an icc profile")  # a broken profile falls back, never fails
    assert broken.tobytes() == plain.tobytes()


def test_every_version_has_a_keyword_list_for_the_vocabulary(api, django_capture_on_commit_callbacks):
    version = ingest(api, b"plain words\n", "notes.txt", django_capture_on_commit_callbacks)
    assert version.embedded_metadata["keywords"] == []
