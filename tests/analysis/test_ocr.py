"""OCR: text rendered here is read back; PDFs use their own text where they have it; bad files are skipped."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("rapidocr")
pytest.importorskip("onnxruntime")

from analysis.analysers.base import Limits, Skipped
from analysis.analysers.ocr import OcrAnalyser
from tests.analysis.making import REAL, source, text_image, text_layer_pdf

pytestmark = pytest.mark.analysis

POSTER = [("SUMMER MARKET", 64), ("Fresh strawberries", 48), ("Only $3.49 a basket", 48),
          ("Saturday 9 to 14", 40), ("Harbour Square", 40)]


@pytest.fixture(scope="module")
def ocr():
    analyser = OcrAnalyser()
    info = analyser.load()
    assert info.version == "3.10.0" and len(info.sha256) == 64
    return analyser


def words(text: str) -> list[str]:
    return re.findall(r"[\w$.]+", text.lower())


def test_a_rendered_word_is_read_back_exactly(ocr, tmp_path):
    path = tmp_path / "word.png"
    text_image([("Lighthouse", 48)], size=(420, 140)).save(path)
    outcome = ocr.analyse(source(path), Limits())
    assert outcome.text == "Lighthouse"
    [line] = outcome.data["lines"]
    assert line["confidence"] > 0.9
    x0, y0, x1, y1 = line["box"]
    # Drawn from x=40 on a 420 px wide picture, about 230 px wide.
    assert 0.05 < x0 < 0.12 and 0.5 < x1 < 0.75 and 0 < y0 < y1 < 1
    assert outcome.labels == []


def test_a_poster_is_read_line_by_line_in_reading_order(ocr, tmp_path):
    path = tmp_path / "poster.jpg"
    picture = text_image(POSTER)
    # Degrade it as a phone photo of a print would be: softened and recompressed.
    from PIL import ImageFilter

    picture.filter(ImageFilter.GaussianBlur(1.2)).save(path, quality=55)
    outcome = ocr.analyse(source(path, width=1000, height=700), Limits())
    expected = [w for text, _ in POSTER for w in words(text)]
    assert words(outcome.text) == expected
    assert "$3.49" in outcome.text
    tops = [line["box"][1] for line in outcome.data["lines"]]
    assert tops == sorted(tops) and len(tops) == len(POSTER)
    assert outcome.data["pages_read"] == 1


def test_a_scanned_pdf_is_read_by_ocr(ocr, tmp_path):
    path = tmp_path / "scan.pdf"
    pages = [text_image([("Invoice 2041", 56), ("Blue ceramic vase", 44)]),
             text_image([("Delivery note", 56), ("Packed by Anna", 44)])]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100)
    outcome = ocr.analyse(source(path, pages=2), Limits())
    assert words(outcome.text) == ["invoice", "2041", "blue", "ceramic", "vase", "delivery", "note", "packed", "by",
                                   "anna"]
    assert outcome.data["pages_read"] == 2 and outcome.data["pages_ocr"] == 2
    assert [line["page"] for line in outcome.data["lines"]] == [1, 1, 2, 2]


def test_a_pdf_with_a_text_layer_is_not_ocred(ocr, tmp_path):
    path = text_layer_pdf(tmp_path / "letter.pdf", ["Quarterly brand guidelines for the spring campaign",
                                                    "Second page: colours, typefaces and logo placement"])
    outcome = ocr.analyse(source(path, pages=2), Limits())
    assert outcome.text == ("Quarterly brand guidelines for the spring campaign\n\n"
                            "Second page: colours, typefaces and logo placement")
    assert outcome.data["pages_ocr"] == 0 and outcome.data["lines"] == []


def test_over_the_page_limit_the_first_pages_are_read_and_the_stop_recorded(ocr, tmp_path):
    path = tmp_path / "long.pdf"
    pages = [text_image([(f"Chapter {name}", 56)], size=(700, 300)) for name in ("one", "two", "three")]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100)
    outcome = ocr.analyse(source(path, pages=3), Limits(max_pages=2))
    assert words(outcome.text) == ["chapter", "one", "chapter", "two"]
    assert outcome.data["pages_read"] == 2
    assert outcome.data["stopped_at_page"] == 2 and outcome.data["pages"] == 3


def test_a_photo_without_text_gives_little_or_no_text(ocr):
    outcome = ocr.analyse(source(REAL / "gps_DSCN0010.jpg"), Limits())
    # A landscape: whatever stray marks are read are few and short, never a page of text.
    assert len(outcome.text) < 40
    assert all(0 <= v <= 1 for line in outcome.data["lines"] for v in line["box"])


def test_a_corrupt_image_is_skipped_with_a_sentence(ocr, tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes((REAL / "gps_DSCN0010.jpg").read_bytes()[:2000])
    with pytest.raises(Skipped, match=r"^The file cannot be decoded \(.+\)\.$") as caught:
        ocr.analyse(source(path), Limits())
    assert str(tmp_path) not in str(caught.value)


def test_a_corrupt_pdf_is_skipped_with_a_sentence(ocr, tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    with pytest.raises(Skipped, match="PDF cannot be read"):
        ocr.analyse(source(path), Limits())


def test_an_image_over_the_pixel_limit_is_skipped_before_decoding(ocr, tmp_path):
    path = tmp_path / "word.png"
    text_image([("Huge", 48)], size=(300, 100)).save(path)
    with pytest.raises(Skipped, match="120 million pixels, more than the 80 million"):
        ocr.analyse(source(path, width=12_000, height=10_000), Limits(max_pixels=80_000_000))
