"""Technical facts about non-image files, read at ingest: PDF pages, video and audio streams, audio tags.

Each reader is given the uploaded file and may fail: a file that cannot be
probed is still stored (as its type, without these facts), never lost.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, cast

from assets.formats import FFMPEG_OPTIONS, RAW_MIME_TYPES
from ingest.metadata import Extracted, _jsonable, _text, read_image

logger = logging.getLogger(__name__)


@dataclass
class Probe:
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None
    extracted: Extracted = field(default_factory=Extracted)


def probe(fileobj: IO[bytes], mime_type: str, *, image_types: frozenset[str] | set[str]) -> Probe:
    """Read what can be read about the file; failures leave fields empty."""
    try:
        if mime_type in image_types:
            return Probe(extracted=read_image(fileobj))
        if mime_type in RAW_MIME_TYPES:
            return _raw(fileobj)
        if mime_type == "application/pdf":
            return _pdf(fileobj)
        if mime_type.startswith("video/"):
            return _video(fileobj)
        if mime_type.startswith("audio/"):
            return _audio(fileobj)
    except Exception:
        logger.info("could not probe a %s file", mime_type, exc_info=True)
    finally:
        fileobj.seek(0)
    return Probe()


# LibRaw's orientations (sizes.flip) that turn the picture a quarter when shown.
RAW_QUARTER_FLIPS = (5, 6)


def _raw(fileobj: IO[bytes]) -> Probe:
    """A camera raw: its size as shown from LibRaw; its EXIF through the TIFF structure it is built on."""
    import rawpy

    fileobj.seek(0)
    with rawpy.imread(cast(BinaryIO, fileobj)) as raw:
        sizes = raw.sizes
        width, height = sizes.width, sizes.height
        if sizes.flip in RAW_QUARTER_FLIPS:
            width, height = height, width
    try:
        extracted = read_image(fileobj)
    except Exception:  # a raw whose TIFF directories Pillow cannot follow: its size is still known
        logger.info("no embedded metadata read from a camera raw", exc_info=True)
        extracted = Extracted()
    # The TIFF reader's orientation is already in the size above.
    (extracted.raw.get("exif") or {}).pop("Orientation", None)
    return Probe(width=width, height=height, extracted=extracted)


def _pdf(fileobj: IO[bytes]) -> Probe:
    import pypdfium2 as pdfium

    fileobj.seek(0)
    pdf = pdfium.PdfDocument(fileobj)
    try:
        info = {k: v for k, v in ((k, _text(v)) for k, v in pdf.get_metadata_dict(skip_empty=True).items()) if v}
        width = height = None
        if len(pdf):
            w, h = pdf[0].get_size()
            width, height = round(w), round(h)
        fields = {k: v for k, v in {"title": info.get("Title"), "description": info.get("Subject"),
                                    "creator": info.get("Author")}.items() if v}
        keywords = [k.strip() for k in (info.get("Keywords") or "").replace(";", ",").split(",") if k.strip()]
        raw = {"pdf": info, "keywords": list(dict.fromkeys(keywords)), "mapped": fields}
        return Probe(width=width, height=height, pages=len(pdf), extracted=Extracted(raw=raw, fields=fields))
    finally:
        pdf.close()


def _video(fileobj: IO[bytes]) -> Probe:
    import av

    fileobj.seek(0)
    with av.open(fileobj, mode="r", options=FFMPEG_OPTIONS) as container:  # type: ignore[call-overload]
        duration = float(container.duration / av.time_base) if container.duration else None
        streams: list[dict[str, Any]] = []
        width = height = None
        for stream in container.streams:
            codec: Any = stream.codec_context  # video or audio context; the stubs only know the base class
            entry: dict[str, Any] = {"type": stream.type, "codec": codec.name if codec else None}
            if stream.type == "video":
                entry.update(width=codec.width, height=codec.height, rotation=_rotation(container, stream),
                             frame_rate=_jsonable(float(stream.average_rate)) if stream.average_rate else None)
                width, height = width or codec.width, height or codec.height
            elif stream.type == "audio":
                entry.update(sample_rate=codec.sample_rate, channels=codec.channels)
            streams.append(entry)
        tags = {k: v for k, v in ((str(k), _text(v)) for k, v in container.metadata.items()) if v}
        video_codec = next((s["codec"] for s in streams if s["type"] == "video"), None)
    fields = {k: v for k, v in {"title": tags.get("title"), "description": tags.get("comment")}.items() if v}
    raw = {"media": {"format": container.format.name, "duration": duration, "codec": video_codec,
                     "streams": streams, "tags": tags}, "keywords": [], "mapped": fields}
    return Probe(width=width, height=height, duration=duration, extracted=Extracted(raw=raw, fields=fields))


def _rotation(container: Any, stream: Any) -> int:
    """How far the video is turned when shown (its display matrix, degrees counter-clockwise), read from its
    first frame; 0 when there is none or no frame decodes."""
    import av

    try:
        for frame in container.decode(stream):
            container.seek(0)
            return round(getattr(frame, "rotation", 0) or 0) % 360
    except (av.FFmpegError, ValueError, AttributeError):
        pass
    return 0


def _audio(fileobj: IO[bytes]) -> Probe:
    import mutagen

    fileobj.seek(0)
    audio = mutagen.File(fileobj, easy=True)
    if audio is None:
        return Probe()
    tags: dict[str, Any] = {}
    for key, value in (audio.tags or {}).items():
        values = [t for t in (_text(str(v)) for v in (value if isinstance(value, list) else [value])) if t]
        if values:
            tags[str(key)] = values if len(values) > 1 else values[0]
    duration = float(audio.info.length) if getattr(audio.info, "length", None) else None
    first = {k: (v[0] if isinstance(v, list) else v) for k, v in tags.items()}
    fields = {k: v for k, v in {"title": first.get("title"), "creator": first.get("artist"),
                                "rights_holder": first.get("copyright")}.items() if v}
    genre = tags.get("genre") or []
    raw = {"audio": {"duration": duration, "bitrate": getattr(audio.info, "bitrate", None),
                     "sample_rate": getattr(audio.info, "sample_rate", None),
                     "channels": getattr(audio.info, "channels", None), "tags": tags},
           "keywords": genre if isinstance(genre, list) else [genre], "mapped": fields}
    return Probe(duration=duration, extracted=Extracted(raw=raw, fields=fields))
