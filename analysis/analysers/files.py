"""A `Source` over a local file: what the analysis job hands an analyser, and what tests and bench use.

Decoding goes through the rendition code's decoders (assets.renditions.decode_stream), so Pillow's
pixel limit, the bomb warning and the allow-list of formats hold here exactly as they do for previews.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from analysis.analysers.base import Skipped

DOCUMENT_TYPES = frozenset({"application/pdf"})


@dataclass
class FileSource:
    file_path: str
    mime_type: str
    asset_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None

    def path(self) -> contextlib.AbstractContextManager[str]:
        return contextlib.nullcontext(self.file_path)

    def image(self, box: int = 2048) -> Image.Image:
        from assets.renditions import RenditionFailed, decode_stream  # libvips: job worker only

        try:
            with open(self.file_path, "rb") as fh:
                picture = decode_stream(fh, self.mime_type, box)
        except RenditionFailed as exc:
            raise Skipped(_sentence(str(exc))) from exc
        if max(picture.size) > box:
            picture.thumbnail((box, box))
        return picture.convert("RGB")

    def page_images(self, box: int = 2048, limit: int = 20) -> Iterator[Image.Image]:
        if self.mime_type not in DOCUMENT_TYPES:
            yield self.image(box)
            return
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(self.file_path)
        except pdfium.PdfiumError as exc:
            raise Skipped(f"The PDF cannot be read ({exc}).") from exc
        try:
            for index in range(min(len(pdf), limit)):
                page = pdf[index]
                width, height = page.get_size()
                scale = min(box / max(width, height, 1), 8.0)
                yield page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()

    def text_layer(self) -> str:
        if self.mime_type not in DOCUMENT_TYPES:
            return ""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(self.file_path)
        except pdfium.PdfiumError:
            return ""
        try:
            texts = []
            for index in range(len(pdf)):
                textpage = pdf[index].get_textpage()
                texts.append(textpage.get_text_bounded())
                textpage.close()
            return "\n".join(t.strip() for t in texts if t.strip())
        finally:
            pdf.close()


def _sentence(failure: str) -> str:
    """The decoder's reason as a sentence people can read: Pillow names the open file by its repr
    ("cannot identify image file <_io.BufferedReader name='/srv/...'>"), which shows a server path."""
    reason = re.sub(r"\s*<_io\.\w+ name=[^>]*>", "", failure.removeprefix("Preview unavailable: ")).strip(" .")
    return f"The file cannot be decoded ({reason[:1].lower() + reason[1:] or 'no reason given'})."
