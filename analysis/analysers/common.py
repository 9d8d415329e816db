"""Small pieces the image analysers share: the pixel limit, normalised boxes, model file hashes."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from analysis.analysers.base import Limits, Skipped, Source
from analysis.analysers.files import DOCUMENT_TYPES


def refuse_over_pixels(source: Source, limits: Limits) -> None:
    """Skip an image whose recorded size is over the limit before anything decodes it.

    The size comes from the version record; when it is unknown, Pillow's own pixel limit still guards the decode.
    """
    if source.width and source.height and source.width * source.height > limits.max_pixels:
        megapixels = source.width * source.height / 1_000_000
        raise Skipped(f"The image has {megapixels:,.0f} million pixels, more than the "
                      f"{limits.max_pixels / 1_000_000:,.0f} million that analysis reads.")


def is_document(source: Source) -> bool:
    return source.mime_type in DOCUMENT_TYPES


def normalised_box(points: Iterable[tuple[float, float]], width: int, height: int) -> list[float]:
    """The axis-aligned box around `points` as [x0, y0, x1, y1] in 0..1 of the image, so it holds for any
    rendition of the same picture."""
    xs, ys = zip(*points, strict=True)
    w, h = max(width, 1), max(height, 1)

    def clamp(value: float) -> float:
        return round(min(max(value, 0.0), 1.0), 4)

    return [clamp(min(xs) / w), clamp(min(ys) / h), clamp(max(xs) / w), clamp(max(ys) / h)]


def file_sha256(path: str | Path) -> str:
    """The hex sha256 of a model file, recorded with each result so a changed model shows."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
