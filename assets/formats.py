"""Which stored files the DAM decodes, and for which it makes previews."""
from __future__ import annotations

import mimetypes

import pillow_heif

# HEIC/HEIF through libheif (pillow-heif's bundled build), for ingest and the rendition jobs alike;
# registered once, read-only use.
pillow_heif.register_heif_opener()

# Formats Pillow may decode (camera JPEGs open as MPO through the JPEG opener).
# EPS/PS are not here on purpose: Pillow would hand
# them to Ghostscript, which has a long record of code-execution bugs.
# PSD: Pillow reads the flattened picture Photoshop saves beside the layers.
PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "HEIF", "PSD")
PSD_MIME_TYPES = {"image/vnd.adobe.photoshop", "image/x-photoshop"}
IMAGE_MIME_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp", "image/x-ms-bmp",
                    "image/heic", "image/heif", *PSD_MIME_TYPES}
# Camera raw formats built on TIFF, by extension: libmagic calls most of them image/tiff, so the name tells
# which camera's raw it is. LibRaw (rawpy) reads them: their embedded JPEG preview, or a decode.
RAW_TYPES = {"nef": "image/x-nikon-nef", "nrw": "image/x-nikon-nrw", "cr2": "image/x-canon-cr2",
             "dng": "image/x-adobe-dng", "arw": "image/x-sony-arw", "srf": "image/x-sony-srf",
             "sr2": "image/x-sony-sr2", "orf": "image/x-olympus-orf", "pef": "image/x-pentax-pef",
             "rw2": "image/x-panasonic-rw2"}
RAW_MIME_TYPES = frozenset(RAW_TYPES.values())


# Options for every container FFmpeg opens (ingest's probe, the rendition job). FFmpeg picks its demuxer by
# content and name, not by the type checked at ingest: handed a playlist (HLS, ffconcat, DASH, SDP) it would
# open every file and URL it lists. Files are given to it as file objects, which need no protocol, so the
# list of allowed protocols names none: nothing a file refers to is ever opened.
FFMPEG_OPTIONS = {"protocol_whitelist": "none"}

# The longest side of each rendition, in pixels (assets.renditions makes them; pages describe them).
RENDITION_SIZES = {"web": 2048, "preview": 1600, "thumb": 400}
RENDITION_QUALITY = {"web": 82, "preview": 85, "thumb": 85}


def raw_type(filename: str, detected: str) -> str | None:
    """The camera raw type of a file named like one whose content is TIFF (or that raw type itself)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    raw = RAW_TYPES.get(ext)
    return raw if raw is not None and detected in ("image/tiff", raw) else None


def can_render(mime_type: str) -> bool:
    """Whether the DAM makes previews for this type (SVG, audio, office files get a type icon instead).

    SVG is never rasterised here: an untrusted SVG is active content, stored as a download only.
    """
    return (mime_type in IMAGE_MIME_TYPES or mime_type in RAW_MIME_TYPES or mime_type == "application/pdf"
            or mime_type.startswith("video/"))


# Extensions a desktop runs, or a browser renders as active content, when the file is opened from a
# downloads folder. A stored or downloaded name keeps one only when the file's content is of that type.
ACTIVE_EXTENSIONS = frozenset({
    "app", "apk", "asp", "aspx", "bash", "bat", "cgi", "cmd", "com", "command", "csh", "dll", "dylib", "exe", "hta",
    "htm", "html", "jar", "js", "jse", "jsp", "jspx", "ksh", "lnk", "mjs", "msi", "msp", "phar", "php", "php3", "php4",
    "php5", "php7", "phtml", "pif", "pl", "ps1", "psm1", "py", "pyw", "rb", "reg", "scr", "sh", "shtml", "so", "svg",
    "svgz", "swf", "url", "vbe", "vbs", "wsf", "wsh", "xhtml", "zsh",
})
# Types whose content the DAM reads precisely (libmagic, then a decoder): their name must say what they are.
PRECISE_PREFIXES = ("image/", "video/", "audio/", "application/pdf")
# What the standard table lacks for types libmagic reports.
MORE_EXTENSIONS = {"image/jpeg": {"jpg", "jpeg", "jpe", "jfif"}, "image/heic": {"heic", "heif", "hif"},
                   "image/heif": {"heic", "heif", "hif"}, "image/x-ms-bmp": {"bmp"}, "audio/x-m4a": {"m4a"},
                   "audio/mp4": {"m4a", "mp4"}, "audio/x-flac": {"flac"}, "audio/flac": {"flac"},
                   "video/x-m4v": {"m4v"}, "image/x-xcf": {"xcf"}, "image/vnd.adobe.photoshop": {"psd"},
                   **{mime: {ext} for ext, mime in RAW_TYPES.items()}}


def _family(mime_type: str | None) -> str | None:
    """image, or audio-video, or pdf: within one, a file's extension may name any of its types."""
    if not mime_type or not mime_type.startswith(PRECISE_PREFIXES):
        return None
    return "av" if mime_type.startswith(("video/", "audio/")) else mime_type.split("/")[0]


def extensions_for(mime_type: str) -> set[str]:
    """The extensions (without the dot, lower case) that name files of this type."""
    found = {ext.lstrip(".").lower() for ext in mimetypes.guess_all_extensions(mime_type, strict=False)}
    return found | MORE_EXTENSIONS.get(mime_type, set())


def name_for_type(name: str, mime_type: str) -> str:
    """The name with an extension that says what the content is, keeping the person's words.

    A file whose content we read precisely (images, video, audio, PDF) ends in an extension of its
    type or of a sibling type (`.nef` for a TIFF-based raw, `.mp4` for a QuickTime movie):
    `shell.jpg.php` that is a JPEG becomes `shell.jpg`, `photo.exe` becomes `photo.jpg`.
    Any other file keeps its name unless it ends in an active extension its content is not
    (`notes.php` that is plain text becomes `notes.txt`). Read at ingest and again at download, so
    names stored before this rule are served safely too.
    """
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot and stem else ""
    own = extensions_for(mime_type)
    sibling = ext and ext not in ACTIVE_EXTENSIONS and (
        _family(mimetypes.guess_type(f"x.{ext}", strict=False)[0]) == _family(mime_type))
    if ext in own or sibling:
        return name  # its own extension, or a sibling's (a camera raw is a TIFF inside, an MP4 a QuickTime movie)
    if not mime_type.startswith(PRECISE_PREFIXES) and ext not in ACTIVE_EXTENSIONS:
        return name  # an unknown container or document type: the person's extension is the better name
    named = ext in ACTIVE_EXTENSIONS or mimetypes.guess_type(f"x.{ext}", strict=False)[0] is not None
    base = stem if ext and named else name
    inner = base.rpartition(".")[2].lower() if "." in base else ""
    if inner in own:
        return base
    preferred = mimetypes.guess_extension(mime_type, strict=False) or (f".{sorted(own)[0]}" if own else ".bin")
    return base + preferred
