"""Making renditions from an original: decoded once at reduced size, upright, sRGB, no metadata.

One decode serves every preset of a version. The thumbnail is made and recorded
first, as lists wait for it; the larger presets are then scaled from the same decode
on two threads at once. JPEG, PNG, TIFF, WebP and GIF go through
libvips (pyvips), which shrinks on load (a 24 MP JPEG is decoded at 1/2 scale)
and streams the rest; HEIC and BMP go through Pillow (draft mode for JPEG-like
reduced decoding), PDF through pdfium and video through PyAV.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias, cast

import imagehash
import pyvips
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image, ImageCms, ImageOps

from assets.formats import (
    FFMPEG_OPTIONS,
    IMAGE_MIME_TYPES,
    PILLOW_FORMATS,
    RAW_MIME_TYPES,
    RENDITION_QUALITY,
    RENDITION_SIZES,
    can_render,
)
from assets.models import AssetVersion, Rendition
from assets.originals import open_original, original_storage

SIZES = {Rendition.Preset(name): pixels for name, pixels in RENDITION_SIZES.items()}
QUALITY = {Rendition.Preset(name): quality for name, quality in RENDITION_QUALITY.items()}
RASTER_TYPES = IMAGE_MIME_TYPES
ENCODE_THREADS = 2
_SRGB = ImageCms.createProfile("sRGB")
# The libvips loader for each type it decodes here, called by name: libvips never picks a
# loader by sniffing, so a file only ever reaches the decoder its checked type names.
VIPS_LOADERS = {"image/jpeg": "jpegload", "image/png": "pngload", "image/tiff": "tiffload",
                "image/webp": "webpload", "image/gif": "gifload"}

# A worker decodes each original once: libvips's operation cache would only hold memory.
pyvips.cache_set_max(0)
# Loaders libvips marks as unsafe for untrusted input (ImageMagick, MATLAB, FITS, ...) stay off.
pyvips.block_untrusted_set(True)


class RenditionFailed(Exception):
    pass


@dataclass(frozen=True)
class Made:
    name: str
    mime_type: str
    width: int
    height: int
    size: int
    phash: str = ""  # the version's perceptual hash: set on the thumbnail only, so every version's is made alike


# What decoders and encoders raise on hostile or broken files; each becomes a recorded RenditionFailed.
# RuntimeError: pillow-heif's word for most of libheif's errors (out of memory, a security limit, a plugin).
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, MemoryError, RuntimeError,
                 pyvips.Error, Image.DecompressionBombError, Image.DecompressionBombWarning)
# A decoded original: libvips for the formats it reads here, Pillow (also via pdfium and PyAV) for the rest.
Picture: TypeAlias = "pyvips.Image | Image.Image"
# A preset encoded: its JPEG bytes, its size, and the perceptual hash (thumbnail only, else "").
Encoded: TypeAlias = tuple[bytes, tuple[int, int], str]


def render_each(version: AssetVersion, presets: Iterable[str]) -> Iterator[tuple[str, Made]]:
    """Write the given presets from one decode, yielding each as soon as it is stored: the thumbnail first
    (lists wait for it), then the others largest first.

    Raises RenditionFailed, possibly after some presets were yielded, when the file cannot be rendered.
    """
    wanted = [Rendition.Preset(p) for p in presets]
    if not wanted:
        return
    if not can_render(version.mime_type):
        raise RenditionFailed("No preview for this file type.")
    box = max(SIZES[p] for p in wanted)
    with _failures_recorded():
        picture: Picture = decode_vips(version, box) if version.mime_type in VIPS_LOADERS else decode(version, box)
    ordered = sorted(wanted, key=lambda p: (p != Rendition.Preset.THUMB, -SIZES[p]))
    # The first preset (the thumbnail) is encoded alone, with the cores to itself; the larger ones
    # are then encoded beside each other on two threads while it is stored and recorded (libvips and
    # Pillow release the GIL): on an idle second core, a 24 MP JPEG's last preset is ready ~30 ms
    # sooner. Only the threads encode; files are stored here, in order, so a failure never leaves
    # a stored file that no row records.
    with ThreadPoolExecutor(max_workers=ENCODE_THREADS, thread_name_prefix="rendition") as pool:
        later: list[Future[Encoded]] = []
        try:
            for n, preset in enumerate(ordered):
                with _failures_recorded():
                    if n == 0:
                        encoded = _encoded(picture, preset)
                        later = [pool.submit(_encoded, picture, p) for p in ordered[1:]]
                    else:
                        encoded = later[n - 1].result()
                yield preset.value, _store(*encoded, preset)
        finally:
            for job in later:
                job.cancel()  # after a failure, or when the caller stops early: the rest is not wanted


def _encoded(picture: Picture, preset: Rendition.Preset) -> Encoded:
    """A preset's JPEG bytes and size, scaled from the decoded original, with the perceptual hash for the
    thumbnail (the hash looks at a 32x32 grey version anyway, so the thumbnail is plenty)."""
    scaled = _scaled(picture, SIZES[preset])
    phash = str(imagehash.phash(_as_pillow(scaled))) if preset == Rendition.Preset.THUMB else ""
    return _jpeg(scaled, preset), _size(scaled), phash


@contextlib.contextmanager
def _failures_recorded() -> Iterator[None]:
    """Decoder and encoder errors (and Pillow's bomb warning) as RenditionFailed with a one-line reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except DECODE_ERRORS as exc:
        raise RenditionFailed(f"Preview unavailable: {_reason(exc)}") from exc


# Decoders' words for the damage people meet most, and how the uploader reads it (the batch report, the asset
# page): a cut-short upload or a file broken on its way, not "VipsJpeg: premature end of JPEG image".
PLAIN_REASONS = (
    (("premature end", "truncated", "unexpected end", "end of file", "ran out of data"),
     "the file ends before the picture does (it was cut short or damaged on its way)"),
    (("corrupt", "invalid", "bad huffman", "not a known file format", "cannot identify", "crc error", "broken"),
     "the picture data in the file is damaged"),
)


def _reason(exc: BaseException, path: str = "") -> str:
    """What went wrong, in one line, in plain words where we know them, without the server's file paths."""
    if isinstance(exc, pyvips.Error):
        # libvips's log ends with the decoder's own words ("VipsJpeg: premature end of JPEG image").
        lines = [line for line in exc.detail.splitlines() if line.strip()] or [exc.message]
        text = lines[-1]
    else:
        text = str(exc) or exc.__class__.__name__
    lowered = text.casefold()
    for words, plain in PLAIN_REASONS:
        if any(word in lowered for word in words):
            return plain
    return text.replace(path, "the file") if path else text


def _scaled(picture: Picture, box: int) -> Picture:
    """Scaled down (Lanczos) to fit a box x box square, never enlarged; the source is left as it was."""
    if isinstance(picture, pyvips.Image):
        fitted = _fit(picture, box)
        # Held in memory, so a smaller size made from it scales pixels rather than replaying the pipeline.
        return fitted if fitted is picture else fitted.copy_memory()
    scaled = picture.copy()
    scaled.thumbnail((box, box), Image.Resampling.LANCZOS)
    return scaled


def _jpeg(picture: Picture, preset: Rendition.Preset) -> bytes:
    """The rendition's bytes: a JPEG without any metadata (no GPS or camera data, no profile)."""
    # Progressive for web and preview: over a slow link the browser draws the whole picture, blurred,
    # after the first scan. The thumbnail is baseline: at 400 px it arrives in a round-trip or two, so
    # progressive gains nothing there, and baseline is cheaper: 1.4 ms instead of 2.2 to encode, 0.8 ms
    # instead of 2.2 to decode, for each thumbnail of a grid (measured here; sizes within 4%).
    progressive = preset != Rendition.Preset.THUMB
    # A progressive JPEG always gets optimised Huffman tables; a baseline one only when asked.
    optimize = not progressive
    if isinstance(picture, pyvips.Image):
        return picture.jpegsave_buffer(Q=QUALITY[preset], optimize_coding=optimize, interlace=progressive,
                                       keep="none")
    out = io.BytesIO()
    # No exif= / icc_profile= / xmp arguments: Pillow writes none of them unless asked.
    picture.save(out, "JPEG", quality=QUALITY[preset], optimize=optimize, progressive=progressive)
    return out.getvalue()


def _size(picture: Picture) -> tuple[int, int]:
    return (picture.width, picture.height)


def _as_pillow(picture: Picture) -> Image.Image:
    if isinstance(picture, pyvips.Image):
        return Image.frombytes("RGB", _size(picture), picture.write_to_memory())
    return picture


def _fit(image: pyvips.Image, box: int) -> pyvips.Image:
    """Scaled down to fit a box x box square; never enlarged."""
    scale = box / max(image.width, image.height)
    return image.resize(scale) if scale < 1 else image


def decode_vips(version: AssetVersion, box: int, *, flatten: bool = True) -> pyvips.Image:
    """The original through libvips, shrunk on load, fitted to `box`, upright, sRGB, held in memory;
    transparency kept only when not `flatten` (for formats that can hold it)."""
    load = getattr(pyvips.Image, VIPS_LOADERS[version.mime_type])
    with local_copy(version) as path:
        try:
            # Opening reads the header only: the pixel limit is checked before any pixel is decoded.
            header = load(path, fail_on="error")
            if header.width * header.height > settings.DAM_MAX_IMAGE_PIXELS:
                raise RenditionFailed("Preview unavailable: the image has more pixels than this DAM accepts.")
            # fail_on="error": a truncated or corrupt file fails the job instead of giving a partial preview.
            image = load(path, access="sequential", fail_on="error",
                         **_shrink_on_load(version.mime_type, header, box))
            # Decode now, while the file is certain to exist; the rotation needs random access anyway.
            fitted = _fit(image, box).copy_memory()
            image = _vips_srgb(fitted, flatten=flatten).copy_memory()
            _refuse_flattened(fitted, image)
        except pyvips.Error as exc:
            raise RenditionFailed(f"Preview unavailable: {_reason(exc, path)}") from exc
    # A square box fits the same before and after turning, so turning the small image is enough.
    return image.autorot().copy_memory()


def _shrink_on_load(mime_type: str, header: pyvips.Image, box: int) -> dict[str, float]:
    """Loader options that decode at the smallest scale still covering `box` on the long side."""
    long_side = max(header.width, header.height)
    if mime_type == "image/jpeg":
        shrink = 8
        while shrink > 1 and long_side / shrink < box:
            shrink //= 2
        return {"shrink": shrink}
    if mime_type == "image/webp" and long_side > box:
        return {"scale": box / long_side}
    return {}  # PNG, GIF and strip TIFFs have no reduced decode: they stream through the resize


# Float pixels in these colour spaces have meanings of their own, which colourspace() maps to sRGB.
FLOAT_SPACES = ("scrgb", "xyz", "lab", "labq", "labs", "lch", "cmc", "yxy", "hsv")


def _vips_srgb(image: pyvips.Image, *, flatten: bool = True) -> pyvips.Image:
    """8-bit sRGB (without alpha when `flatten`): through the embedded profile when there is a usable one."""
    if image.format in ("float", "double") and image.interpretation not in FLOAT_SPACES:
        # A 32-bit float TIFF holds 0-1 (or any range): scaled to 0-255, or a cast makes it black.
        top = image.max()
        if top > 0:
            image = image * (255.0 / top)
    if image.get_typeof("icc-profile-data"):
        # A broken or oversized profile: converted below without it, still a usable preview.
        with contextlib.suppress(pyvips.Error):
            image = image.icc_transform("srgb", embedded=True, intent="relative")
    if image.interpretation == "cmyk":  # no usable profile of its own: libvips's stock CMYK profile
        image = image.icc_transform("srgb", input_profile="cmyk", intent="relative")
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if image.hasalpha() and flatten:
        image = image.flatten(background=[255, 255, 255])
    return image.cast("uchar") if image.format != "uchar" else image


def _refuse_flattened(decoded: pyvips.Image, shown: pyvips.Image) -> None:
    """A picture that varies must not come out as one flat colour (pixel values a conversion failed to map):
    that is a failure to say, not a preview to show. Only looked at when the pixels were not 8-bit already."""
    if decoded.format == "uchar":
        return
    small_decoded, small_shown = _fit(decoded, 32), _fit(shown, 32)  # a few hundred pixels tell
    if small_decoded.max() > small_decoded.min() and small_shown.max() - small_shown.min() <= 2:
        raise RenditionFailed("Preview unavailable: the picture came out as one flat colour although the file "
                              f"is not ({decoded.format} pixels the DAM could not map to colours).")


@contextlib.contextmanager
def local_copy(version: AssetVersion) -> Iterator[str]:
    """A path to the original that libvips can open: the file itself on local disk, else a temporary copy."""
    storage = original_storage(version)
    if isinstance(storage, FileSystemStorage):
        yield storage.path(version.file.name)
        return
    suffix = Path(version.file.name).suffix
    with open_original(version) as source, tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield copy.name


def decode(version: AssetVersion, box: int) -> Image.Image:
    """The first image (page, frame) of the original, at least `box` px on its long side when possible, RGB."""
    with open_original(version) as fh:
        return decode_stream(fh, version.mime_type, box)


def decode_stream(fh: object, mime: str, box: int) -> Image.Image:
    """`decode` for an open file of the given (sniffed) type: Pillow's limits and the bomb warning apply."""
    with _failures_recorded():
        if mime in RASTER_TYPES:
            return _decode_raster(fh, box)
        if mime in RAW_MIME_TYPES:
            return _decode_raw(fh, box)
        if mime == "application/pdf":
            return _decode_pdf(fh, box)
        if mime.startswith("video/"):
            return _decode_video(fh)
    raise RenditionFailed("No preview for this file type.")


def _decode_raster(fh: object, box: int) -> Image.Image:
    with Image.open(fh, formats=PILLOW_FORMATS) as source:  # type: ignore[arg-type]
        # JPEG: decode at 1/2..1/8 scale straight away. Pillow picks the scale from the requested
        # size on each axis, so ask for the aspect-correct fit, not the square box.
        width, height = source.size
        ratio = box / max(width, height, 1)
        if ratio < 1:
            source.draft("RGB", (max(1, round(width * ratio)), max(1, round(height * ratio))))
        icc = source.info.get("icc_profile")
        im: Image.Image = ImageOps.exif_transpose(source)
        im.load()
    return to_srgb(im, icc)


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB in sRGB: convert through the embedded profile when there is a usable one."""
    if im.mode in ("RGBA", "LA", "P", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        im = background
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = im.mode if im.mode in ("RGB", "CMYK", "L") else "RGB"
            converted = ImageCms.profileToProfile(im.convert(mode), source, _SRGB, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or oversized profile: fall back to a plain conversion, still a usable preview
    return im if im.mode == "RGB" else im.convert("RGB")


# LibRaw's orientation (sizes.flip) as the counter-clockwise turn PIL gives it.
RAW_FLIP_TURNS = {3: 180, 5: 90, 6: 270}


def _decode_raw(fh: object, box: int) -> Image.Image:
    """A camera raw: the JPEG preview the camera embedded when it is large enough, else a half-size decode."""
    import rawpy

    try:
        with rawpy.imread(cast(BinaryIO, fh)) as raw:
            turn = RAW_FLIP_TURNS.get(raw.sizes.flip, 0)
            try:
                thumb = raw.extract_thumb()
            except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
                thumb = None
            picture: Image.Image | None = None
            if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
                with Image.open(io.BytesIO(cast(bytes, thumb.data)), formats=["JPEG"]) as embedded:
                    picture = embedded.convert("RGB") if max(embedded.size) >= box // 2 else None
            elif thumb is not None and thumb.format == rawpy.ThumbFormat.BITMAP:
                picture = Image.fromarray(cast(Any, thumb.data)).convert("RGB")
                picture = picture if max(picture.size) >= box // 2 else None
            if picture is None:
                # No usable preview: develop the sensor data at half size (a quarter of the pixels), which
                # covers every preset of a camera's raw; LibRaw turns it upright itself.
                return Image.fromarray(raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8))
    except (rawpy.LibRawError, ValueError) as exc:
        raise RenditionFailed(f"Preview unavailable: the camera raw cannot be read ({exc}).") from exc
    return picture.rotate(turn, expand=True) if turn else picture


def _decode_pdf(fh: object, box: int) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(fh)
    except pdfium.PdfiumError as exc:
        raise RenditionFailed(f"Preview unavailable: unreadable PDF ({exc})") from exc
    try:
        if len(pdf) == 0:
            raise RenditionFailed("Preview unavailable: the PDF has no pages.")
        page = pdf[0]
        width, height = page.get_size()
        scale = min(box / max(width, height, 1), 8.0)
        return page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()


def _decode_video(fh: object) -> Image.Image:
    import av

    try:
        with av.open(fh, mode="r", options=FFMPEG_OPTIONS) as container:  # type: ignore[call-overload]
            stream = next((s for s in container.streams if s.type == "video"), None)
            if stream is None:
                raise RenditionFailed("Preview unavailable: the file has no video stream.")
            if stream.codec_context is None:  # a codec FFmpeg does not know at all
                raise RenditionFailed("Preview unavailable: no decoder for this video's codec.")
            stream.codec_context.thread_type = "AUTO"
            # A poster frame a little way in (the first frame is often black), from the nearest keyframe.
            duration = float(container.duration / av.time_base) if container.duration else 0.0
            if duration > 2 and stream.time_base:
                container.seek(int(min(1.0, duration / 10) / stream.time_base), stream=stream)
            for frame in container.decode(stream):
                if isinstance(frame, av.VideoFrame):
                    picture = frame.to_image().convert("RGB")
                    # A phone held upright records sideways and says so in a display matrix: turned the
                    # way it is shown (degrees counter-clockwise, as PIL turns).
                    turn = round(frame.rotation or 0) % 360
                    return picture.rotate(turn, expand=True) if turn else picture
    except av.FFmpegError as exc:
        raise RenditionFailed(f"Preview unavailable: {exc}") from exc
    raise RenditionFailed("Preview unavailable: no frame could be decoded.")


def _store(data: bytes, size: tuple[int, int], phash: str, preset: str) -> Made:
    key = uuid.uuid4().hex
    name = save_atomically(f"renditions/{key[:2]}/{key}-{preset}.jpg", data)
    return Made(name=name, mime_type="image/jpeg", width=size[0], height=size[1], size=len(data), phash=phash)


def save_atomically(name: str, data: bytes) -> str:
    """Write a file so no reader ever sees it half-written.

    On local disk it is written under a temporary name in the same folder and
    renamed (atomic on POSIX). An S3 PUT is atomic already: the object appears
    only once complete.
    """
    storage = default_storage
    if not isinstance(storage, FileSystemStorage):
        return storage.save(name, ContentFile(data))
    final = Path(storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex}.part")
    try:
        with open(temporary, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if storage.file_permissions_mode is not None:
            os.chmod(temporary, storage.file_permissions_mode)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return name
