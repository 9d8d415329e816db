"""Barcodes and QR codes in images and PDF pages: zxing-cpp (no model, a decoder library).

The values join the version's searchable text, so a search for a product's GTIN finds its packshot.
"""
from __future__ import annotations

from typing import Any, ClassVar

from PIL import Image

from analysis.analysers.base import Limits, ModelInfo, Outcome, Source, Unavailable
from analysis.analysers.common import is_document, normalised_box, package_version, refuse_over_pixels

# Long side of what is read. Larger than OCR's: a small code in a large photo needs its modules to stay
# at least a pixel or two wide, and zxing's own downscaling finds the large ones.
BOX = 3072
# Formats a DAM meets on packaging, labels and print. zxing reads more (Codabar, ITF, DataBar, DX film edge);
# those short, weakly checked linear codes are the usual source of false reads on textured surfaces.
# (With every format on, the 28 real photos in tests/corpus/real gave no false hit either.)
FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "Code93",
           "QRCode", "MicroQRCode", "DataMatrix", "PDF417", "Aztec")


class BarcodeAnalyser:
    """Finds and decodes barcodes and QR codes; records each value, its format and where it is."""

    slug: ClassVar[str] = "barcodes"
    title: ClassVar[str] = "Barcodes and QR codes"
    kinds: ClassVar[frozenset[str]] = frozenset({"image", "document"})
    timeout: ClassVar[int] = 120

    def __init__(self) -> None:
        self._formats: Any = None

    def load(self) -> ModelInfo:
        """Import zxing-cpp; there is no model file to hash."""
        try:
            import zxingcpp
        except ImportError as exc:
            raise Unavailable("The zxing-cpp package is not installed: pip install -r requirements-ai.txt") from exc
        self._formats = [getattr(zxingcpp.BarcodeFormat, name) for name in FORMATS]
        return ModelInfo(name="zxing-cpp", version=package_version("zxing-cpp"), licence="Apache-2.0")

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """Every code found, in the order zxing reports them (top to bottom within a page)."""
        if self._formats is None:
            self.load()
        codes: list[dict[str, Any]] = []
        if is_document(source):
            for index, page in enumerate(source.page_images(BOX, limit=limits.max_pages)):
                codes.extend({**code, "page": index + 1} for code in self._read(page))
        else:
            refuse_over_pixels(source, limits)
            codes = self._read(source.image(BOX))
        values = list(dict.fromkeys(code["value"] for code in codes))  # one mention of a repeated code
        return Outcome(text="\n".join(values), data={"codes": codes})

    def _read(self, picture: Image.Image) -> list[dict[str, Any]]:
        import zxingcpp

        width, height = picture.size
        found = []
        for barcode in zxingcpp.read_barcodes(picture.convert("L"), formats=self._formats):
            if not barcode.valid or not barcode.text:
                continue
            corners = barcode.position
            points = [(p.x, p.y) for p in (corners.top_left, corners.top_right,
                                           corners.bottom_right, corners.bottom_left)]
            found.append({
                "format": str(barcode.format),  # as people write it: "EAN-13", "QR Code"
                "value": barcode.text,
                "box": normalised_box(points, width, height),
            })
        return found

