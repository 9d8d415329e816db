"""Many assets as one zip, streamed: no file is held in memory or written to disk on the way.

zipstream-ng writes the archive as the response is sent, reading each stored file in blocks
only when its turn comes, with ZIP64 for archives past 4 GB. Files are stored, not compressed
(pictures and videos are compressed already), so the archive's length is known in advance and
sent as Content-Length: browsers show real progress and a cut connection can be told apart from
an end.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.http import StreamingHttpResponse
from zipstream import ZIP_STORED, ZipStream

from assets.downloads import content_disposition
from assets.models import Asset
from distribution import embedding, location
from distribution.derivatives import Derivative, PresetUnavailable, derivative_for
from distribution.downloads import download_name_for
from distribution.models import Preset, Watermark
from taxonomy import naming

BLOCK = 1024 * 1024
# Small derivatives a zip request makes itself (the rest go to the job worker, the request answering 202).
MADE_IN_REQUEST = 10


@dataclass
class Plan:
    """What a zip of some assets in one preset holds, and what it leaves out (said in a README inside)."""

    ready: list[tuple[Asset, Derivative]] = field(default_factory=list)
    pending: list[Asset] = field(default_factory=list)
    left_out: list[tuple[Asset, str]] = field(default_factory=list)

    @property
    def assets(self) -> list[Asset]:
        return [asset for asset, _ in self.ready]


def plan(assets: list[Asset], preset: Preset, *, public: bool, keep_location: bool = False,
         watermark: Watermark | None = None, recipient: str = "", link_title: str = "",
         version_of: Any = None) -> Plan:
    """Each asset's file in the preset: ready, being made (queued now), or left out with the reason.

    `version_of(asset)` picks the version (the approved one by default).
    """
    result = Plan()
    made_here = 0
    for asset in assets:
        version = version_of(asset) if version_of else asset.approved_version
        if version is None:
            result.left_out.append((asset, "it has no version you may download"))
            continue
        try:
            derivative = derivative_for(version, preset, watermark=watermark, recipient=recipient,
                                        link_title=link_title, make_now=made_here < MADE_IN_REQUEST)
        except PresetUnavailable as exc:
            result.left_out.append((asset, str(exc)))
            continue
        if derivative.rendition is not None and derivative.rendition.spec:
            made_here += 1  # a recipe derivative: made (or looked at) here
        if derivative.failed:
            result.left_out.append((asset, f"{preset.label} could not be made from this file"))
        elif not derivative.ready:
            result.pending.append(asset)
        elif derivative.rendition is None and public and not keep_location and location.refusal(version):
            result.left_out.append((asset, location.refusal(version)))
        else:
            result.ready.append((asset, derivative))
    return result


def _blocks(opener: Any) -> Iterator[bytes]:
    """A stored file's bytes, opened only when the zip reaches it and closed right after."""
    with opener() as fh:
        while chunk := fh.read(BLOCK):
            yield chunk


def _opener(derivative: Derivative, *, clean_location: bool) -> tuple[Any, int | None]:
    """How to open the file (and its size when known): for an original, a copy with the rights written
    (and its location removed for the public) when it is of a kind that takes them."""
    if derivative.rendition is None and (clean_location or embedding.writes_rights(derivative.version)):
        def copied() -> IO[bytes]:
            copy = embedding.original_with_rights(derivative.version, clean_location=clean_location)
            return copy if copy is not None else derivative.open()
        return copied, None  # the metadata is rewritten: the size is known only afterwards
    size = derivative.rendition.size if derivative.rendition is not None else derivative.version.size
    return derivative.open, size


def response(result: Plan, filename: str, *, public: bool, keep_location: bool = False) -> StreamingHttpResponse:
    """The zip as a streamed attachment; names made unique, a README listing what was left out."""
    sized = not any(d.rendition is None and ((public and not keep_location) or embedding.writes_rights(d.version))
                    for _, d in result.ready)
    archive = ZipStream(compress_type=ZIP_STORED, sized=sized)
    taken: set[str] = set()
    rules = naming.rules_for(result.assets)  # the naming conventions of a thousand assets in two queries
    for asset, derivative in result.ready:
        derivative.version.asset = asset  # loaded already: the name needs it
        name = _unique(download_name_for(derivative, rule=rules[asset.pk]), taken)
        opener, size = _opener(derivative, clean_location=public and not keep_location)
        archive.add(_blocks(opener), name, size=size)
    if result.left_out:
        lines = [f"- {asset.title}: {reason}" for asset, reason in result.left_out]
        archive.add(("Not in this zip:\n" + "\n".join(lines) + "\n").encode(), _unique("README.txt", taken))
    answer = StreamingHttpResponse(archive, content_type="application/zip")
    if sized:
        answer["Content-Length"] = str(len(archive))
    answer["Content-Disposition"] = content_disposition(filename)
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}.{extension}" if extension else f"{stem}-{n}"
    taken.add(candidate.lower())
    return candidate
