"""Barcodes: an EAN-13 drawn from the GS1 tables and a QR code are found clean, turned, noisy and pasted small
into a real photo; real photos without codes give none."""
from __future__ import annotations

import pytest
from PIL import Image, ImageFilter

pytest.importorskip("zxingcpp")

from analysis.analysers.barcodes import BarcodeAnalyser
from analysis.analysers.base import Limits, Skipped
from tests.analysis.making import PLAIN_PHOTOS, REAL, ean13_check_digit, ean13_image, qr_image, source

pytestmark = pytest.mark.analysis

GTIN = "400638133393"
GTIN += ean13_check_digit(GTIN)
QR_TEXT = "https://dam.example.org/a/7f3c2e"


@pytest.fixture(scope="module")
def reader():
    analyser = BarcodeAnalyser()
    assert analyser.load().name == "zxing-cpp"
    return analyser


def on_white(code: Image.Image, size: tuple[int, int] = (900, 700)) -> Image.Image:
    canvas = Image.new("RGB", size, "white")
    canvas.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return canvas


def noisy(picture: Image.Image, seed: int = 7) -> Image.Image:
    """Soft focus, low contrast and sensor noise, as a dim phone photo of a print has (sigma 20 of 255 here;
    the QR code's reads start to fail near 28)."""
    import numpy as np

    grey = np.asarray(picture.convert("L").filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32)
    grey = 60 + grey * 0.6  # ink is dark grey, paper light grey
    grey += np.random.default_rng(seed).normal(0, 20, grey.shape)
    return Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")


def read(reader, tmp_path, picture: Image.Image, name: str = "code.jpg"):
    path = tmp_path / name
    picture.save(path, quality=90)
    return reader.analyse(source(path, width=picture.width, height=picture.height), Limits())


@pytest.mark.parametrize("angle", [0, 90, 17])
def test_an_ean13_is_found_upright_and_turned(reader, tmp_path, angle):
    picture = on_white(ean13_image(GTIN)).rotate(angle, expand=True, fillcolor="white")
    outcome = read(reader, tmp_path, picture)
    assert [(c["format"], c["value"]) for c in outcome.data["codes"]] == [("EAN-13", GTIN)]
    assert outcome.text == GTIN
    assert outcome.labels == []


@pytest.mark.parametrize("angle", [0, 90, 33])
def test_a_qr_code_is_found_upright_and_turned(reader, tmp_path, angle):
    picture = on_white(qr_image(QR_TEXT)).rotate(angle, expand=True, fillcolor="white")
    outcome = read(reader, tmp_path, picture)
    assert [(c["format"], c["value"]) for c in outcome.data["codes"]] == [("QR Code", QR_TEXT)]
    assert outcome.text == QR_TEXT


def test_noisy_codes_are_still_read(reader, tmp_path):
    both = Image.new("RGB", (1200, 600), "white")
    both.paste(ean13_image(GTIN), (60, 150))
    both.paste(qr_image(QR_TEXT), (800, 150))
    outcome = read(reader, tmp_path, noisy(both))
    assert sorted(c["value"] for c in outcome.data["codes"]) == sorted([GTIN, QR_TEXT])


def test_codes_pasted_small_into_a_real_photo_are_found_where_they_are(reader, tmp_path):
    with Image.open(REAL / "Reconyx_HC500_Hyperfire.jpg") as photo:
        picture = photo.convert("RGB")
    ean = ean13_image(GTIN, module=2, height=70)  # about 230 px wide in a 2048 px wide photo
    qr = qr_image(QR_TEXT, scale=3)
    picture.paste(ean, (300, 900))
    picture.paste(qr, (1500, 200))
    outcome = read(reader, tmp_path, picture)
    codes = {c["value"]: c for c in outcome.data["codes"]}
    assert set(codes) == {GTIN, QR_TEXT}
    width, height = picture.size
    x0, y0, x1, y1 = codes[GTIN]["box"]
    assert 300 / width < x0 < x1 < (300 + ean.width) / width
    assert 900 / height < y0 < y1 < (900 + ean.height) / height
    x0, y0, x1, y1 = codes[QR_TEXT]["box"]
    assert 1500 / width < x0 < x1 < (1500 + qr.width) / width
    assert codes[QR_TEXT]["format"] == "QR Code"
    assert set(outcome.text.split("\n")) == {GTIN, QR_TEXT}


def test_codes_on_pdf_pages_name_their_page(reader, tmp_path):
    path = tmp_path / "labels.pdf"
    pages = [on_white(ean13_image(GTIN)), on_white(qr_image(QR_TEXT))]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100)
    outcome = reader.analyse(source(path, pages=2), Limits())
    assert [(c["page"], c["value"]) for c in outcome.data["codes"]] == [(1, GTIN), (2, QR_TEXT)]


@pytest.mark.parametrize("name", PLAIN_PHOTOS)
def test_real_photos_without_codes_give_none(reader, name):
    outcome = reader.analyse(source(REAL / name), Limits())
    assert outcome.data["codes"] == [] and outcome.text == ""


def test_a_file_that_is_no_image_is_skipped_with_a_sentence(reader, tmp_path):
    path = tmp_path / "junk.png"
    path.write_bytes(b"not a picture at all" * 20)
    damaged = r"^The file cannot be decoded \(the picture data in the file is damaged\)\.$"
    with pytest.raises(Skipped, match=damaged) as caught:
        reader.analyse(source(path), Limits())
    assert str(tmp_path) not in str(caught.value)
