"""The demo's files: real photographs and a recording from dam/demo_files/ (see its README for their sources and
licences), and the ones made here at seed time: a poster with printed words (for text recognition), a hang tag
whose QR code holds a product SKU (for barcode reading and product links), a short video and a PDF."""
from __future__ import annotations

import io
import math
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEMO_FILES = Path(__file__).resolve().parent / "demo_files"
POSTER_WORDS = ("SUMMER TRAIL WEEK", "Run the harbour loop", "12 to 18 June", "Free shoe fitting in store")


def demo_file(name: str) -> bytes:
    """A file of dam/demo_files/ as bytes."""
    return (DEMO_FILES / name).read_bytes()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's own TrueType font (>= 10.1): no system font needed


def _jpeg(image: Image.Image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def poster() -> bytes:
    """A campaign poster: dark blue with large printed words, which text recognition reads back."""
    image = Image.new("RGB", (1200, 1600), (18, 42, 92))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 1180, 1200, 1600), fill=(242, 140, 40))
    y = 160
    for text, size in zip(POSTER_WORDS, (104, 72, 72, 56), strict=True):
        draw.text((80, y), text, font=_font(size), fill=(255, 255, 255))
        y += int(size * 2.1)
    for i in range(5):  # a few rings, the brand's motif
        r = 70 + 30 * i
        draw.ellipse((900 - r, 1390 - r, 900 + r, 1390 + r), outline=(255, 255, 255), width=5)
    return _jpeg(image)


def hang_tag(sku: str) -> bytes:
    """A photo of the trail with a shoe's hang tag in front: the tag's QR code holds the product's SKU."""
    import segno

    photo = Image.open(DEMO_FILES / "autumn-avenue.jpg").convert("RGB").resize((1280, 960))
    code = io.BytesIO()
    segno.make_qr(sku, error="m").save(code, kind="png", scale=9, border=3)
    qr = Image.open(io.BytesIO(code.getvalue())).convert("RGB")
    card = Image.new("RGB", (qr.width + 60, qr.height + 130), (255, 255, 255))
    card.paste(qr, (30, 30))
    draw = ImageDraw.Draw(card)
    draw.text((30, qr.height + 50), sku, font=_font(40), fill=(20, 20, 20))
    photo.paste(card, (photo.width - card.width - 70, photo.height - card.height - 60))
    return _jpeg(photo, 92)


def video(seconds: int = 2, fps: int = 12) -> bytes:
    """A short H.264 MP4: a sunrise gradient with a ring crossing it."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for n in range(seconds * fps):
            t = n / (seconds * fps)
            frame = Image.new("RGB", (640, 360))
            draw = ImageDraw.Draw(frame)
            for y in range(360):
                k = y / 360
                draw.line([(0, y), (640, y)], fill=(int(40 + 200 * (1 - k) * (0.5 + t / 2)), int(60 + 90 * k),
                                                    int(140 + 80 * k)))
            cx, cy = int(60 + 520 * t), int(180 - 90 * math.sin(math.pi * t))
            draw.ellipse((cx - 40, cy - 40, cx + 40, cy + 40), outline=(255, 255, 255), width=6)
            for packet in stream.encode(av.VideoFrame.from_image(frame)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def brochure_pdf() -> bytes:
    """A two-page PDF brand sheet (pictures of pages, as a scanner makes them)."""
    pages = []
    for title, lines, colours in (
        ("Brand colours", ["Harbour blue  #1D4ED8", "Sunrise orange  #F77F00", "Trail green  #2A9D4F"],
         [(29, 78, 216), (247, 127, 0), (42, 157, 79)]),
        ("Logo use", ["Keep clear space around the logo.", "Never stretch or recolour it.",
                      "Use the dark version on light photos."], [(17, 17, 17), (248, 249, 250)]),
    ):
        page = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(page)
        draw.text((120, 140), title, font=_font(80), fill=(20, 20, 20))
        for i, line in enumerate(lines):
            draw.text((120, 330 + i * 90), line, font=_font(44), fill=(40, 40, 40))
        for i, colour in enumerate(colours):
            draw.rectangle((120 + i * 340, 800, 420 + i * 340, 1100), fill=colour, outline=(200, 200, 200))
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()
