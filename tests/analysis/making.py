"""Files the analyser tests make at test time: rendered text, PDFs with and without a text layer, barcodes,
and a Source over any of them."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from analysis.analysers.files import FileSource
from tests.factories import CORPUS

ANALYSIS_CORPUS = CORPUS / "analysis"
REAL = CORPUS / "real"
# Real photos with no face and no code in them (landscapes, objects, a trail camera, tiny camera samples).
PLAIN_PHOTOS = ["gps_DSCN0010.jpg", "gps_DSCN0012.jpg", "Reconyx_HC500_Hyperfire.jpg", "Canon_PowerShot_S40.jpg",
                "orientation_landscape_1.jpg", "orientation_portrait_6.jpg", "Fujifilm_FinePix_E500.jpg",
                "Olympus_C8080WZ.jpg"]

MIME = {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf", ".tiff": "image/tiff"}


def source(path: Path, **sizes: int) -> FileSource:
    """A FileSource as the analysis job builds one from a version record."""
    mime = MIME[path.suffix.lower()]
    return FileSource(str(path), mime, "document" if mime == "application/pdf" else "image", **sizes)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # a real TrueType font in Pillow >= 10.1


def text_image(lines: list[tuple[str, int]], size: tuple[int, int] = (1000, 700)) -> Image.Image:
    """Black text on white, one (text, font size) per line, 40 px from the left edge."""
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    y = 40
    for text, points in lines:
        draw.text((40, y), text, font=font(points), fill=(20, 20, 20))
        y += int(points * 2)
    return picture


def text_layer_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF whose pages carry real text (Helvetica), written out by hand: what a word processor exports."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for text in pages:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 14 Tf 72 700 Td ({escaped}) Tj ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
                       % content)
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


# EAN-13: the first digit picks the L/G pattern of the left six; right six are R codes.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = ["".join("1" if b == "0" else "0" for b in code)[::-1] for code in _L]
_R = ["".join("1" if b == "0" else "0" for b in code) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_check_digit(twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return str((10 - total % 10) % 10)


def ean13_image(digits: str, module: int = 3, height: int = 120) -> Image.Image:
    """An EAN-13 symbol drawn from the GS1 tables (not by the library under test), with quiet zones."""
    assert len(digits) == 13 and digits[12] == ean13_check_digit(digits[:12])
    parity = _PARITY[int(digits[0])]
    bits = "101"
    bits += "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(parity, digits[1:7], strict=True))
    bits += "01010"
    bits += "".join(_R[int(d)] for d in digits[7:])
    bits += "101"
    quiet = 11 * module
    picture = Image.new("L", (len(bits) * module + 2 * quiet, height + 2 * quiet), 255)
    draw = ImageDraw.Draw(picture)
    for i, bit in enumerate(bits):
        if bit == "1":
            draw.rectangle((quiet + i * module, quiet, quiet + (i + 1) * module - 1, quiet + height), fill=0)
    return picture.convert("RGB")


def qr_image(text: str, scale: int = 6) -> Image.Image:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
