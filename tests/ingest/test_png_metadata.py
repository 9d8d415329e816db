"""PNG metadata is read from the chunks, wherever they are, without decoding a pixel; broken chunks are skipped."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from assets.models import AssetVersion
from ingest import metadata, png_chunks
from tests.ingest.helpers import open_batch, send

XMP = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>'
       '<rdf:li xml:lang="x-default">Hafen im Morgenlicht – Østerport</rdf:li></rdf:Alt></dc:title>'
       '<dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>dawn</rdf:li></rdf:Bag></dc:subject>'
       '</rdf:Description></rdf:RDF></x:xmpmeta>').encode()


def exif_tiff(make: str = "Hasselblad", model: str = "X2D") -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = make, model
    return exif.tobytes().removeprefix(b"Exif\x00\x00")


def chunk(chunk_type: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    crc = zlib.crc32(chunk_type + data) if crc is None else crc
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return chunk(b"iTXt", keyword + b"\0" + (b"\1" if compressed else b"\0") + b"\0" + b"\0\0" + body)


def raw_profile(data: bytes) -> bytes:
    """EXIF in a zTXt chunk the way ImageMagick writes it."""
    text = b"\nexif\n%8d\n" % len(data) + b"\n".join(data[i:i + 36].hex().encode() for i in range(0, len(data), 36))
    return chunk(b"zTXt", b"Raw profile type exif\0\0" + zlib.compress(text))


def png(*, before: tuple[bytes, ...] = (), after: tuple[bytes, ...] = ()) -> bytes:
    """A small PNG with extra chunks before its image data (after IHDR) and after it (before IEND)."""
    out = io.BytesIO()
    Image.effect_noise((64, 48), 30).convert("RGB").save(out, "PNG")
    data = out.getvalue()
    ihdr_end = 8 + 25
    return data[:ihdr_end] + b"".join(before) + data[ihdr_end:-12] + b"".join(after) + data[-12:]


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("the PNG's pixels were decoded to read its metadata")
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse)


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("compressed", [False, True])
def test_exif_and_xmp_are_read_wherever_they_are_without_decoding(where, compressed, no_pixel_decoding):
    chunks = (chunk(b"eXIf", exif_tiff()), itxt(b"XML:com.adobe.xmp", XMP, compressed=compressed))
    read = metadata.read_image(io.BytesIO(png(**{where: chunks})))
    assert read.raw["camera"] == {"Make": "Hasselblad", "Model": "X2D"}
    assert read.fields["title"] == "Hafen im Morgenlicht – Østerport"
    assert read.raw["keywords"] == ["harbour", "dawn"]


def test_exif_in_an_imagemagick_raw_profile_is_read(no_pixel_decoding):
    read = metadata.read_image(io.BytesIO(png(after=(raw_profile(b"Exif\x00\x00" + exif_tiff("Leica", "Q3")),))))
    assert read.raw["camera"] == {"Make": "Leica", "Model": "Q3"}


def test_an_exif_chunk_wins_over_a_raw_profile_and_the_last_xmp_wins():
    found = png_chunks.read_metadata(io.BytesIO(png(
        before=(raw_profile(exif_tiff("Leica")), itxt(b"XML:com.adobe.xmp", b"<old/>")),
        after=(chunk(b"eXIf", exif_tiff("Sony")), itxt(b"XML:com.adobe.xmp", XMP)))))
    assert found.exif == exif_tiff("Sony") and found.xmp == XMP


BROKEN = {
    "bad CRC": chunk(b"eXIf", exif_tiff("Broken"), crc=0),
    "corrupt zlib": chunk(b"zTXt", b"Raw profile type exif\0\0" + b"not zlib at all"),
    "unknown compression": chunk(b"iTXt", b"XML:com.adobe.xmp\0\1\7\0\0" + zlib.compress(b"<bad/>")),
    "cut-short zlib": chunk(b"zTXt", b"Raw profile type exif\0\0" + zlib.compress(b"\nexif\n 4\n00112233")[:-6]),
    "not hex": chunk(b"tEXt", b"Raw profile type exif\0\nexif\n 4\nzzzz"),
    "no keyword end": chunk(b"iTXt", b"XML:com.adobe.xmp"),
    "iTXt without its fields": chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0only-a-language"),
    "unparseable EXIF": chunk(b"eXIf", b"MM\x00*garbage"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_malformed_chunk_is_skipped_and_the_rest_kept(name, no_pixel_decoding):
    # After the image data, where Pillow does not look when it opens the file (it refuses some of these before it).
    read = metadata.read_image(io.BytesIO(png(after=(BROKEN[name], itxt(b"XML:com.adobe.xmp", XMP, compressed=True)))))
    assert read.fields["title"] == "Hafen im Morgenlicht – Østerport"
    assert "Broken" not in str(read.raw["exif"])


def test_oversized_chunks_are_skipped_unread(monkeypatch):
    monkeypatch.setattr(png_chunks, "MAX_CHUNK_BYTES", 1024)
    found = png_chunks.read_metadata(io.BytesIO(png(
        before=(itxt(b"XML:com.adobe.xmp", b"<big>" + b" " * 2000 + b"</big>"),),
        after=(itxt(b"XML:com.adobe.xmp", zlib.compress(b" " * 5000), compressed=False),
               itxt(b"XML:com.adobe.xmp", b"<bomb>" + b" " * 50_000 + b"</bomb>", compressed=True),
               chunk(b"eXIf", exif_tiff())))))
    # The stored-too-large packet is never read; the one that inflates past the limit is dropped;
    # the small raw one before it (compressed bytes stored uncompressed) and the EXIF are kept.
    assert found.xmp == zlib.compress(b" " * 5000) and found.exif == exif_tiff()


def test_a_file_cut_short_keeps_what_came_before_the_cut():
    data = png(before=(chunk(b"eXIf", exif_tiff()),), after=(itxt(b"XML:com.adobe.xmp", XMP),))
    found = png_chunks.read_metadata(io.BytesIO(data[:-40]))
    assert found.exif == exif_tiff() and found.xmp is None


def test_the_walk_stops_after_max_chunks(monkeypatch):
    monkeypatch.setattr(png_chunks, "MAX_CHUNKS", 50)
    padding = tuple(chunk(b"prVt", b"") for _ in range(60))
    assert png_chunks.read_metadata(io.BytesIO(png(before=(itxt(b"XML:com.adobe.xmp", XMP),),
                                                   after=padding))).xmp == XMP
    assert png_chunks.read_metadata(io.BytesIO(png(before=padding,
                                                   after=(itxt(b"XML:com.adobe.xmp", XMP),)))).xmp is None


def test_not_a_png_yields_nothing():
    assert png_chunks.read_metadata(io.BytesIO(b"GIF89a" + b"\0" * 64)) == png_chunks.Found()


def test_an_uploaded_png_keeps_the_metadata_after_its_image_data(api, django_capture_on_commit_callbacks):
    data = png(after=(chunk(b"eXIf", exif_tiff()), itxt(b"XML:com.adobe.xmp", XMP, compressed=True)))
    with django_capture_on_commit_callbacks(execute=True):
        item = send(api["editor"], open_batch(api["editor"])["id"], data, "harbour.png")[0]
    version = AssetVersion.objects.get(asset__uid=item["asset"]["uid"])
    assert version.asset.title == "Hafen im Morgenlicht – Østerport"
    assert version.embedded_metadata["camera"] == {"Make": "Hasselblad", "Model": "X2D"}
    assert version.embedded_metadata["keywords"] == ["harbour", "dawn"]
    assert {r.status for r in version.renditions.all()} == {"ready"}
