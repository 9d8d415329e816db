"""What every analyser is: one small interface, so each model package stays replaceable.

An analyser reads one version's file (`Source`) and returns an `Outcome`: raw labels with a
confidence (mapped onto the vocabulary by analysis.mapping), text that joins the full-text index,
and data of its own (boxes, codes, timed segments) kept in the version's analysis record. It never
touches the database: the task around it records what it returns, or why it skipped or failed.

Models load once per process (`load`, cached by the registry) and only in the job worker; a web
process never imports a model package (analysis.analysers.registry imports each module lazily).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from PIL import Image


class Skipped(Exception):
    """The analyser will not read this file, for a reason people can read ("over 2,000 pages")."""


class Unavailable(Exception):
    """The analyser's package or model is missing or failed to load: the reason, in a sentence."""


@dataclass(frozen=True)
class Label:
    """A raw label as the model names it, with its confidence in 0..1."""

    text: str
    confidence: float
    # Other names the model gives the same thing ("tabby, tabby cat"): the mapping tries each against the terms.
    also: tuple[str, ...] = ()


@dataclass
class Outcome:
    labels: list[Label] = field(default_factory=list)
    # Text found in the file (OCR) or said in it (a transcript), joined into the version's searchable text.
    text: str = ""
    # Analyser-specific, JSON-serialisable: face boxes, barcode values, transcript segments, pages read.
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """What an analyser reads at most; over them it records "skipped: reason"."""

    max_pixels: int = 80_000_000
    max_pages: int = 20
    max_minutes: float = 20.0


@dataclass(frozen=True)
class ModelInfo:
    """Which model an analysis used, recorded with every result: name, version and licence, and a hash of
    the weights file where there is one (the repackaged models are small one-person packages)."""

    name: str
    version: str
    licence: str = ""
    sha256: str = ""


class Source(Protocol):
    """One version's file, as analysers read it."""

    mime_type: str
    asset_type: str  # image, video, audio, document, other
    width: int | None
    height: int | None
    duration: float | None  # seconds
    pages: int | None

    def path(self) -> contextlib.AbstractContextManager[str]:
        """A local path to the original (a temporary copy when the store is remote)."""

    def image(self, box: int = 2048) -> Image.Image:
        """The first image (page, frame) decoded to RGB, at most `box` px on its long side."""

    def page_images(self, box: int = 2048, limit: int = 20) -> Iterator[Image.Image]:
        """Each page of a document (or the image itself), rendered to RGB, up to `limit` pages."""

    def text_layer(self) -> str:
        """The document's own text (a PDF's text layer), empty when it has none."""


class Analyser(Protocol):
    """One kind of analysis. `slug` names it in records and settings; `kinds` are the asset types it reads."""

    slug: ClassVar[str]
    title: ClassVar[str]  # "Text in images (OCR)"
    kinds: ClassVar[frozenset[str]]
    # Seconds before the job running it is stopped (a model that hangs on a hostile file). Below
    # Q_CLUSTER["retry"] (360 s), or the queue hands the job out again while it still runs.
    timeout: ClassVar[int]

    def load(self) -> ModelInfo:
        """Import the package and load the model; raise Unavailable with the reason. Called once per process."""

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """Read the file; raise Skipped(reason) over the limits or for a file it cannot read."""


AnalyserFactory = Callable[[], Analyser]
