"""Text in images and scanned PDFs: RapidOCR (PP-OCR detection, direction and recognition models, ONNX) on
onnxruntime, with the models inside the rapidocr wheel.

The three model files are named explicitly: left to itself rapidocr looks for its default models in a
directory and downloads any it misses, and nothing here may fetch at run time. A PDF's own text layer is
used where a page has one; only pages without text are rendered and read.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from analysis.analysers.base import Limits, ModelInfo, Outcome, Skipped, Source, Unavailable
from analysis.analysers.common import file_sha256, is_document, normalised_box, package_version, refuse_over_pixels

# Files in rapidocr/models/ of rapidocr 3.10.0: detection, text direction (0/180), recognition (with its
# character list inside the ONNX file, so no dictionary is fetched either).
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
# Long side of what is read: enough for poster and label text; the detector shrinks larger input anyway.
BOX = 2048
# A page with fewer characters than this in its text layer counts as scanned (a stray page number is not text).
MIN_LAYER_CHARS = 16


class OcrAnalyser:
    """Reads printed text in images and in PDF pages that have no text layer."""

    slug: ClassVar[str] = "ocr"
    title: ClassVar[str] = "Text in images (OCR)"
    kinds: ClassVar[frozenset[str]] = frozenset({"image", "document"})
    timeout: ClassVar[int] = 300  # 20 scanned pages at about 1.5 s each, with room for a slow, busy machine

    def __init__(self) -> None:
        self._engine: Any = None

    def load(self) -> ModelInfo:
        """Build the RapidOCR engine on the wheel's own models."""
        try:
            import rapidocr
        except ImportError as exc:
            raise Unavailable("The rapidocr package is not installed: pip install -r requirements-ai.txt") from exc
        models = Path(rapidocr.__file__).parent / "models"
        paths = {task: models / name for task, name in MODEL_FILES.items()}
        missing = [p.name for p in paths.values() if not p.is_file()]
        if missing:
            raise Unavailable(f"The rapidocr package has no {', '.join(missing)}: install rapidocr "
                              f"{package_version('rapidocr')} as pinned in requirements-ai.txt.")
        # One thread each, as labels and transcripts run: the DAM runs a worker per core, and onnxruntime's
        # threads spinning for a core another worker holds made a poster 1.6x slower (bench/analysis.py).
        params: dict[str, Any] = {"Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                                  "EngineConfig.onnxruntime.inter_op_num_threads": 1}
        params.update({f"{task}.model_path": str(path) for task, path in paths.items()})
        self._engine = rapidocr.RapidOCR(params=params)
        return ModelInfo(
            name="RapidOCR PP-OCRv6 small (det, rec) + PP-OCR mobile v2 direction",
            version=package_version("rapidocr"),
            licence="Apache-2.0",
            # The recognition model decides what is read; det and direction hashes would only add noise.
            sha256=file_sha256(paths["Rec"]),
        )

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        """The text read, line by line in reading order, with each line's box and confidence."""
        if self._engine is None:
            self.load()
        if is_document(source):
            return self._document(source, limits)
        refuse_over_pixels(source, limits)
        lines = self._read(source.image(BOX))
        return Outcome(text=_joined(lines), data={"lines": lines, "pages_read": 1})

    def _document(self, source: Source, limits: Limits) -> Outcome:
        layer = _page_texts(source, limits.max_pages)
        total = source.pages or len(layer)
        scanned = [i for i, text in enumerate(layer) if len(text) < MIN_LAYER_CHARS]
        pages: list[str] = list(layer)
        lines: list[dict[str, Any]] = []
        if scanned:
            for index, picture in enumerate(source.page_images(BOX, limit=scanned[-1] + 1)):
                if index not in scanned:
                    continue  # this page's own text is already in `layer`
                page_lines = self._read(picture)
                for line in page_lines:
                    line["page"] = index + 1
                lines.extend(page_lines)
                pages[index] = _joined(page_lines)
        data: dict[str, Any] = {"lines": lines, "pages_read": len(layer), "pages_ocr": len(scanned)}
        if total > len(layer):
            # Over the page limit the first pages are still read: a long catalogue's first pages are worth
            # finding, and the record says where reading stopped.
            data["stopped_at_page"] = len(layer)
            data["pages"] = total
        return Outcome(text="\n\n".join(p for p in pages if p.strip()), data=data)

    def _read(self, picture: Image.Image) -> list[dict[str, Any]]:
        import numpy as np

        result = self._engine(np.asarray(picture.convert("RGB")))
        if result.boxes is None or result.txts is None:
            return []
        width, height = picture.size
        return [
            {"text": text, "confidence": round(float(score), 4),
             "box": normalised_box([(float(x), float(y)) for x, y in box], width, height)}
            # rapidocr returns lines sorted top to bottom, then left to right: reading order for one column.
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
            if text.strip()
        ]


def _joined(lines: list[dict[str, Any]]) -> str:
    return "\n".join(line["text"] for line in lines)


def _page_texts(source: Source, limit: int) -> list[str]:
    """Each page's own text (empty for a scanned page), for the first `limit` pages."""
    import pypdfium2 as pdfium

    with source.path() as path:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise Skipped(f"The PDF cannot be read ({exc}).") from exc
        try:
            texts = []
            for index in range(min(len(pdf), limit)):
                textpage = pdf[index].get_textpage()
                texts.append(textpage.get_text_bounded().strip())
                textpage.close()
            return texts
        finally:
            pdf.close()
