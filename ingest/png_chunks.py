"""EXIF and XMP of a PNG, read from its chunks without decoding a pixel.

Pillow finds an eXIf chunk, or a text chunk that follows the image data, only by
decoding the whole image: `PngImageFile.getexif()` loads every pixel when no eXIf
chunk comes before the image data, which is the usual case. For a 12 MP scan that
is a quarter of a second, and memory in proportion to its pixels, in the web
process. Here the chunks are walked instead: each one's length and type are read,
and the image data (IDAT) is seeked over.

PNGs come from strangers, so the walk is bounded (MAX_CHUNKS chunks; MAX_CHUNK_BYTES
per metadata chunk, stored or inflated) and forgiving, as ingest is: a metadata chunk
that is too large, fails its CRC or does not parse is skipped and the rest kept; a
length that runs past the end of the file ends the walk with what was found so far.
"""
from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A PNG at the pixel limit written in libpng's 8 KiB IDAT chunks has about 90,000 chunks;
# the cap ends a walk through a hostile file made of millions of empty ones.
MAX_CHUNKS = 200_000
# Per metadata chunk, as stored and once inflated. Pillow inflates at most 1 MiB of text;
# Photoshop's XMP with a long edit history can be larger.
MAX_CHUNK_BYTES = 4 * 1024 * 1024
# The largest valid chunk length (PNG spec, 5.3): anything above means the walk has lost its place.
_MAX_LENGTH = 2**31 - 1
_HEADER = struct.Struct(">I4s")
_METADATA_CHUNKS = {b"eXIf", b"tEXt", b"zTXt", b"iTXt"}
XMP_KEYWORD = b"XML:com.adobe.xmp"
# EXIF as ImageMagick and ExifTool write it into a text chunk (hex digits), read by Pillow too.
RAW_EXIF_KEYWORD = b"Raw profile type exif"


@dataclass(frozen=True)
class Found:
    """What a PNG carries. EXIF is a TIFF structure, as `PIL.Image.Exif.load` takes it; XMP is the packet."""

    exif: bytes | None = None
    xmp: bytes | None = None


def read_metadata(fileobj: IO[bytes]) -> Found:
    """The PNG's EXIF and XMP; where a file holds several, the last one wins, as with Pillow.

    An eXIf chunk wins over EXIF in a text chunk. Reads from the start of `fileobj`
    and leaves its position anywhere.
    """
    fileobj.seek(0)
    if fileobj.read(len(SIGNATURE)) != SIGNATURE:
        return Found()
    exif_chunk = raw_exif = xmp = None
    for chunk_type, data in _metadata_chunks(fileobj):
        if chunk_type == b"eXIf":
            exif_chunk = data
            continue
        keyword, text = _text_chunk(chunk_type, data)
        if keyword == XMP_KEYWORD and text:
            xmp = text
        elif keyword == RAW_EXIF_KEYWORD and text:
            raw_exif = _raw_profile(text) or raw_exif
    return Found(exif=exif_chunk or raw_exif, xmp=xmp)


def _metadata_chunks(fileobj: IO[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Type and data of each metadata chunk that passes its CRC; every other chunk is seeked over."""
    for _ in range(MAX_CHUNKS):
        header = fileobj.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        length, chunk_type = _HEADER.unpack(header)
        if chunk_type == b"IEND" or length > _MAX_LENGTH:
            return
        if chunk_type not in _METADATA_CHUNKS or length > MAX_CHUNK_BYTES:
            fileobj.seek(length + 4, os.SEEK_CUR)  # the data and its CRC
            continue
        data, crc = fileobj.read(length), fileobj.read(4)
        if len(crc) < 4:
            return  # the file ends inside this chunk
        if zlib.crc32(data, zlib.crc32(chunk_type)) == int.from_bytes(crc, "big"):
            yield chunk_type, data


def _text_chunk(chunk_type: bytes, data: bytes) -> tuple[bytes, bytes | None]:
    """Keyword and text of a tEXt, zTXt or iTXt chunk (PNG spec, 11.3.4); None as the text when it is malformed."""
    keyword, separator, rest = data.partition(b"\0")
    if not separator:
        return keyword, None
    if chunk_type == b"tEXt":
        return keyword, rest
    if chunk_type == b"zTXt":
        return keyword, _inflate(rest[1:]) if rest[:1] == b"\0" else None
    # iTXt: compression flag and method, language tag, translated keyword, then the UTF-8 text.
    flag, method, rest = rest[:1], rest[1:2], rest[2:]
    parts = rest.split(b"\0", 2)
    if len(parts) < 3:
        return keyword, None
    if flag == b"\0":
        return keyword, parts[2]
    return keyword, _inflate(parts[2]) if flag == b"\1" and method == b"\0" else None


def _inflate(data: bytes) -> bytes | None:
    """Inflated zlib data, or None when it is corrupt, cut short, or would inflate past MAX_CHUNK_BYTES."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_CHUNK_BYTES)
    except zlib.error:
        return None
    return text if inflater.eof else None  # not at the end: cut short, or stopped at the limit


def _raw_profile(text: bytes) -> bytes | None:
    """The bytes of a "Raw profile" text: an empty line, the profile's name, its length, then hex digits."""
    try:
        return bytes.fromhex(b"".join(text.split(b"\n")[3:]).decode("ascii")) or None
    except (UnicodeDecodeError, ValueError):
        return None
