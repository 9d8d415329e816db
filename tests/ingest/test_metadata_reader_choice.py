"""Why ingest reads JPEG and TIFF metadata with Pillow, not libexiv2 (docs/embed.md, "Reading: why Pillow and
the chunk walker"): libexiv2 reads a file all or nothing, and ingest keeps what is readable next to what is not."""
from __future__ import annotations

import pyexiv2
import pytest

from ingest.metadata import read_image
from tests.ingest.helpers import CORPUS

# Its EXIF block is not TIFF; its XMP packet, written by Photoshop, is sound.
BROKEN_EXIF = CORPUS / "bad" / "pillow_invalid-exif.jpg"


def test_a_jpeg_whose_exif_is_broken_keeps_its_xmp_at_ingest():
    with open(BROKEN_EXIF, "rb") as fh:
        raw = read_image(fh).raw
    assert raw["exif"] == {}
    assert raw["xmp"]["xmp:CreatorTool"] == "Adobe Photoshop CC 2017 (Macintosh)"
    assert raw["xmp"]["xmp:CreateDate"] == "2017-03-13T23:03:09-07:00"
    assert raw["xmp"]["dc:format"] == "image/jpeg"


def test_libexiv2_refuses_the_whole_file_even_muted():
    """The deciding behaviour: read through pyexiv2 (most lenient log level), this file gives nothing, its good
    XMP included. Should a later libexiv2 read it, the choice in docs/embed.md may be weighed again."""
    pyexiv2.set_log_level(4)  # muted: only a failure to parse raises
    try:
        with pytest.raises(RuntimeError, match="does not look like a TIFF image"):
            pyexiv2.ImageData(BROKEN_EXIF.read_bytes())
    finally:
        pyexiv2.set_log_level(2)  # pyexiv2's default, at which the rights writer (distribution) runs
