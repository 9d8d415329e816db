"""Looking at an uploaded file: its hash, size and type (by content), and image dimensions.

Nothing here trusts the filename or the client's Content-Type.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

import magic
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from assets.formats import IMAGE_MIME_TYPES, PILLOW_FORMATS, RAW_MIME_TYPES, raw_type
from taxonomy.models import AssetType

CHUNK = 1024 * 1024
SNIFF_BYTES = 8192
# What the DAM accepts, decided on the type libmagic reads from the bytes. Anything
# else (executables, shared libraries, installers, scripts typed as such) is refused.
# Unknown binaries (application/octet-stream: design files, camera raws libmagic
# does not name) are kept as opaque downloads; nothing ever opens them.
ALLOWED_MIME_PREFIXES = (
    "image/", "video/", "audio/", "font/",
    "text/plain", "text/csv", "text/html", "text/xml", "text/markdown", "text/rtf", "text/x-",
    "application/pdf", "application/postscript", "application/rtf", "application/json", "application/xml",
    "application/msword", "application/vnd.openxmlformats-officedocument", "application/vnd.oasis.opendocument",
    "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/vnd.ms-office",
    "application/vnd.adobe.", "application/x-indesign", "application/zip", "application/x-tar", "application/gzip",
    "application/x-gzip", "application/x-7z-compressed", "application/x-rar", "application/vnd.rar",
    "application/ogg", "application/mxf", "application/octet-stream",
)
REFUSED_MIME_TYPES = ("text/x-shellscript", "text/x-msdos-batch", "text/x-script.python", "text/x-perl",
                      "text/x-php", "text/x-ruby", "text/x-lua", "text/x-tcl", "text/x-awk")
DOCUMENT_MIME_PREFIXES = ("application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument",
                          "application/vnd.oasis.opendocument", "application/vnd.ms-", "text/")


class FileRejected(Exception):
    """The file cannot become an asset; the message says why, in words a person understands."""

    status = 400


class FileTooLarge(FileRejected):
    status = 413


@dataclass(frozen=True)
class Inspection:
    sha256: str
    size: int
    mime_type: str
    asset_type: str
    width: int | None = None
    height: int | None = None


_SAME_TYPE = {"image/x-ms-bmp": "image/bmp", "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg",
              "image/heif": "image/heic", "audio/mp3": "audio/mpeg"}


def check_name_matches_content(filename: str, mime_type: str) -> None:
    """Refuse a file whose name claims a media type its bytes are not (an .exe renamed .jpg).

    Only names that claim images, audio, video or PDF are held to this: other
    extensions (.csv, .docx, …) are too loosely typed by content to compare.
    """
    if mime_type in RAW_MIME_TYPES:
        return  # its type was taken from its name, the content being the TIFF such raws are built on
    claimed, _ = mimetypes.guess_type(filename, strict=False)
    if not claimed:
        return
    claimed, detected = _SAME_TYPE.get(claimed, claimed), _SAME_TYPE.get(mime_type, mime_type)
    family = claimed.split("/")[0]
    if family == "image" or claimed == "application/pdf":
        matches = claimed == detected
    elif family in ("audio", "video"):
        matches = detected.split("/")[0] in ("audio", "video")
    else:
        return
    if not matches:
        ext = filename.rsplit(".", 1)[-1].upper()
        raise FileRejected(f"The file is named like a {ext} file ({claimed}), but its content is {detected}.")


def check_allowed(mime_type: str) -> None:
    """Refuse content types outside the allow-list (decided by content, never by name)."""
    if mime_type.startswith(REFUSED_MIME_TYPES) or not mime_type.startswith(ALLOWED_MIME_PREFIXES):
        raise FileRejected(f"Files of this type ({mime_type}) are not accepted.")


def inspect(fileobj: IO[bytes], filename: str = "") -> Inspection:
    """Hash and size the file in one streaming pass, type it by content, measure images."""
    fileobj.seek(0)
    digest, size, head = hashlib.sha256(), 0, b""
    limit = settings.DAM_MAX_UPLOAD_BYTES
    while chunk := fileobj.read(CHUNK):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"The file is larger than the limit of {settings.DAM_MAX_UPLOAD_MB} MB.")
    if size == 0:
        raise FileRejected("The file is empty.")
    mime_type = magic.from_buffer(head, mime=True) or "application/octet-stream"
    # A camera raw is a TIFF inside: the name says whose (a NEF, a DNG); LibRaw reads it, not Pillow.
    mime_type = raw_type(filename, mime_type) or mime_type
    check_name_matches_content(filename, mime_type)
    check_allowed(mime_type)
    width = height = None
    if mime_type in IMAGE_MIME_TYPES:
        width, height = image_size(fileobj)
    fileobj.seek(0)
    return Inspection(digest.hexdigest(), size, mime_type, asset_type_for(mime_type), width, height)


def image_size(fileobj: IO[bytes]) -> tuple[int, int]:
    """Read an image's header (no pixel decoding) within the pixel limit."""
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj, formats=PILLOW_FORMATS) as im:
                width, height = im.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRejected("The image is too large (more pixels than this DAM accepts).") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise FileRejected(f"The file is not a readable image ({exc.__class__.__name__}).") from None
    if width * height > settings.DAM_MAX_IMAGE_PIXELS:
        raise FileRejected(f"The image is too large: {width}×{height} pixels is more than this DAM accepts.")
    return width, height


def asset_type_for(mime_type: str) -> str:
    if mime_type.startswith("image/"):
        return AssetType.IMAGE
    if mime_type.startswith("video/"):
        return AssetType.VIDEO
    if mime_type.startswith("audio/"):
        return AssetType.AUDIO
    if mime_type.startswith(DOCUMENT_MIME_PREFIXES):
        return AssetType.DOCUMENT
    return AssetType.OTHER


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_display_name(name: str, *, fallback: str = "file") -> str:
    """The name to show and offer on download: no path parts, control or bidi characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or fallback
