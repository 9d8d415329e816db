"""Camera and design files: TIFF-based camera raws are accepted as raw images with previews from LibRaw, a PSD gets
a preview of its flattened picture, a 32-bit float TIFF is scaled to its range, and a preview that would come out
as one flat colour from a picture that is not is a failure with its reason, never "ready"."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from pidng.core import RAW2DNG, DNGTags, Tag
from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, Orientation, PhotometricInterpretation
from PIL import Image

from assets import renditions
from assets.models import AssetVersion, Rendition
from tests.ingest.helpers import open_batch, send


def ingested(api, data: bytes, name: str, captured) -> AssetVersion:
    with captured(execute=True):
        (item,) = send(api["editor"], open_batch(api["editor"])["id"], data, name)
    assert item["outcome"] == "created", item
    return AssetVersion.objects.get(asset__uid=item["asset"]["uid"])


def previews(version: AssetVersion) -> dict[str, Rendition]:
    return {r.preset: r for r in version.renditions.all()}


def dng(tmp_path: Path, width: int = 256, height: int = 192) -> bytes:
    """A real DNG (a Bayer mosaic, no embedded preview), as pidng writes one."""
    mosaic = np.tile(np.linspace(0, 4095, width), (height, 1)).astype(np.uint16)
    mosaic[::2, ::2] //= 2
    tags = DNGTags()
    for tag, value in ((Tag.ImageWidth, width), (Tag.ImageLength, height), (Tag.TileWidth, width),
                       (Tag.TileLength, height), (Tag.Orientation, Orientation.Horizontal),
                       (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
                       (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 12), (Tag.CFARepeatPatternDim, [2, 2]),
                       (Tag.CFAPattern, CFAPattern.RGGB), (Tag.BlackLevel, 0), (Tag.WhiteLevel, 4095),
                       (Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]),
                       (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
                       (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]), (Tag.Make, "Test"), (Tag.Model, "Sensor"),
                       (Tag.DNGVersion, DNGVersion.V1_4), (Tag.DNGBackwardVersion, DNGVersion.V1_2)):
        tags.set(tag, value)
    converter = RAW2DNG()
    converter.options(tags, path="", compress=False)
    converter.convert(mosaic, filename=str(tmp_path / "sensor"))
    return (tmp_path / "sensor.dng").read_bytes()


def test_a_dng_is_a_raw_image_with_previews_from_its_sensor_data(api, tmp_path, django_capture_on_commit_callbacks):
    version = ingested(api, dng(tmp_path), "IMG_0001.DNG", django_capture_on_commit_callbacks)
    assert version.mime_type == "image/x-adobe-dng" and version.asset.asset_type == "image"
    assert (version.width, version.height) == (256, 192)
    made = previews(version)
    assert {r.status for r in made.values()} == {"ready"}
    with made["thumb"].file.open("rb") as fh, Image.open(fh) as thumb:
        assert thumb.size[0] > thumb.size[1] and np.asarray(thumb.convert("L")).std() > 5  # the gradient


def test_a_nef_named_file_with_tiff_content_is_accepted_as_a_raw(api, django_capture_on_commit_callbacks):
    """A NEF is a TIFF inside (libmagic says image/tiff): no longer refused as "named like a NEF"."""
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 90, 200)).save(out, "TIFF")
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = send(api["editor"], open_batch(api["editor"])["id"], out.getvalue(), "DSC_0001.NEF")
    assert item["outcome"] == "created", item
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.mime_type == "image/x-nikon-nef" and version.original_filename == "DSC_0001.NEF"
    # LibRaw does not take a plain TIFF for a camera's raw: no preview, and the page says why.
    assert {r.status for r in previews(version).values()} == {"failed"}
    assert all("camera raw cannot be read" in r.error for r in previews(version).values())


def psd(width: int, height: int, composite: np.ndarray) -> bytes:
    """A minimal Photoshop file (RGB, 8 bits, no layers): its flattened picture, uncompressed."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    sections = struct.pack(">I", 0) * 3  # colour mode data, image resources, layers: none
    planes = b"".join(composite[:, :, channel].astype(np.uint8).tobytes() for channel in range(3))
    return header + sections + struct.pack(">H", 0) + planes


def test_a_psd_gets_a_preview_of_its_flattened_picture(api, django_capture_on_commit_callbacks):
    picture = np.zeros((60, 90, 3), dtype=np.uint8)
    picture[:, :45] = (220, 40, 40)
    version = ingested(api, psd(90, 60, picture), "layout.psd", django_capture_on_commit_callbacks)
    assert version.mime_type == "image/vnd.adobe.photoshop" and (version.width, version.height) == (90, 60)
    thumb = previews(version)["thumb"]
    assert thumb.status == "ready"
    with thumb.file.open("rb") as fh, Image.open(fh) as image:
        left, right = image.getpixel((5, 30)), image.getpixel((85, 30))
        assert left[0] > 180 and right[0] < 60


def float_tiff(values: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(values.astype(np.float32), mode="F").save(out, "TIFF")
    return out.getvalue()


def test_a_32_bit_float_tiff_is_scaled_to_its_range(api, django_capture_on_commit_callbacks):
    gradient = np.tile(np.linspace(0, 1, 300), (200, 1))
    version = ingested(api, float_tiff(gradient), "scan.tif", django_capture_on_commit_callbacks)
    thumb = previews(version)["thumb"]
    assert thumb.status == "ready"
    with thumb.file.open("rb") as fh, Image.open(fh) as image:
        grey = np.asarray(image.convert("L"))
        assert grey[:, :20].mean() < 30 and grey[:, -20:].mean() > 220  # black to white, not all black


def test_a_preview_that_comes_out_flat_from_a_picture_that_is_not_is_a_failure(api, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    # As before the float fix: every value cast straight to 8 bits.
    monkeypatch.setattr(renditions, "_vips_srgb", lambda image, flatten=True: image.colourspace("srgb").cast("uchar"))
    gradient = np.tile(np.linspace(0, 1, 300), (200, 1))
    version = ingested(api, float_tiff(gradient), "flat.tif", django_capture_on_commit_callbacks)
    made = previews(version)
    assert {r.status for r in made.values()} == {"failed"}
    assert all("came out as one flat colour although the file is not" in r.error for r in made.values())


@pytest.mark.parametrize("name", ["CRW_0001.CR2", "DSC_0001.ARW", "P0001.ORF", "IMGP0001.PEF", "P1000001.RW2"])
def test_other_tiff_based_raws_are_named_by_their_extension(name):
    from assets.formats import raw_type

    assert raw_type(name, "image/tiff") is not None and raw_type(name, "text/plain") is None
