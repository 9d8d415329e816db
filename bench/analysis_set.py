"""The labelled set bench/analysis.py measures content analysis on: files the project ships (tests/corpus) or
makes here (rendered text, drawn barcodes, espeak-ng speech), each with what a person says is in it.

The expected terms per photo were decided by looking at each photo (docs/analysis.md shows the vocabulary);
they name what a librarian would tag from this small vocabulary, not what ImageNet can see.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageFont, ImageOps

from tests.analysis.making import ANALYSIS_CORPUS, ean13_check_digit, ean13_image, qr_image, text_image

# --- labels after mapping -----------------------------------------------------------------------------------

# A small stock-photo vocabulary: key -> English labels (the preferred one first, then synonyms) and a German
# preferred label, so exact matching runs over several languages as it does in a real DAM. Flat on purpose:
# the mapping suggests terms label by label and never climbs a hierarchy, so "Animals" is listed where meant.
VOCABULARY: dict[str, tuple[list[str], str]] = {
    "animals": (["Animals", "animal", "wildlife"], "Tiere"),
    "cats": (["Cats", "cat", "kitten"], "Katzen"),
    "dogs": (["Dogs", "dog", "puppy"], "Hunde"),
    "birds": (["Birds", "bird"], "Vögel"),
    "reptiles": (["Reptiles", "lizard", "snake", "turtle"], "Reptilien"),
    "fish": (["Fish", "fishes"], "Fische"),
    "flowers": (["Flowers", "blossom"], "Blumen"),
    "plants": (["Plants", "foliage", "leaves"], "Pflanzen"),
    "trees": (["Trees", "forest", "woods"], "Bäume"),
    "waterfalls": (["Waterfalls"], "Wasserfälle"),
    "snow": (["Snow", "winter"], "Schnee"),
    "beaches": (["Beaches", "beach", "seashore"], "Strände"),
    "boats": (["Boats", "ships", "vessels"], "Boote"),
    "food": (["Food", "meals", "dishes"], "Essen"),
    "coffee": (["Coffee", "espresso"], "Kaffee"),
    "drinks": (["Drinks", "beverages"], "Getränke"),
    "people": (["People", "person", "portrait"], "Menschen"),
    "space": (["Space", "spaceflight", "rockets", "astronauts"], "Raumfahrt"),
    "cars": (["Cars", "automobiles"], "Autos"),
    "aircraft": (["Aircraft", "aeroplanes", "helicopters"], "Luftfahrzeuge"),
    "buildings": (["Buildings", "architecture", "houses"], "Gebäude"),
    "concerts": (["Concerts", "live music", "stage"], "Konzerte"),
    "cameras": (["Cameras", "photography equipment"], "Kameras"),
    "military": (["Military", "soldiers", "army"], "Militär"),
}

# Every photo the project ships, with the terms a librarian would give it from VOCABULARY. Of the nine
# orientation_* files (one picture in eight EXIF orientations) only two count, so one waterfall does not weigh
# nine times. Blank and black files stay in: anything suggested for them is a false suggestion.
PHOTOS: dict[str, tuple[str, ...]] = {
    "analysis/chelsea.jpg": ("cats", "animals"),
    "analysis/coffee.jpg": ("coffee", "drinks"),
    "analysis/rocket.jpg": ("space",),
    "analysis/astronaut.jpg": ("people", "space"),
    "analysis/camera.jpg": ("people", "cameras"),
    "real/Canon_40D.jpg": ("animals", "reptiles"),  # an iguana
    "real/Canon_PowerShot_S40.jpg": ("flowers", "plants"),  # a frangipani flower among leaves
    "real/Fujifilm_FinePix_E500.jpg": (),  # a jay's feather: no term here fits
    "real/Kodak_CX7530.jpg": ("animals", "reptiles"),  # an agama lizard on a rock
    "real/Nikon_D70.jpg": ("animals", "reptiles", "plants"),  # a small lizard among leaves
    "real/Olympus_C8080WZ.jpg": ("animals", "fish"),  # a lionfish under water
    "real/Panasonic_DMC-FZ30.jpg": (),  # a painted ornament with lettering, close up
    "real/Pentax_K10D.jpg": ("flowers", "plants"),  # a white rose
    "real/Reconyx_HC500_Hyperfire.jpg": ("trees", "snow"),  # a trail camera in a snowy forest
    "real/Sony_HDR-HC3.jpg": (),  # a spool of ribbon with a printed label
    "real/exiftool_GPS.jpg": (),  # black
    "real/exiftool_IPTC.jpg": (),  # 8 x 8 px, white
    "real/exiftool_MWG.jpg": (),
    "real/exiftool_XMP.jpg": (),
    "real/gps_DSCN0010.jpg": ("buildings", "trees"),  # houses among trees
    "real/gps_DSCN0012.jpg": ("trees",),  # an autumn path under trees
    "real/long_description.jpg": ("people", "aircraft", "military"),  # soldiers by a Chinook helicopter
    "real/orientation_landscape_1.jpg": ("waterfalls", "trees"),
    "real/orientation_portrait_6.jpg": ("waterfalls", "trees"),
    "real/xmp_BlueSquare.jpg": (),  # a blue rectangle
    "real/BSG1.tiff": ("people", "concerts"),  # a brass band on a lit stage
}


def photo_path(name: str) -> Path:
    return ANALYSIS_CORPUS.parent / name


# --- faces --------------------------------------------------------------------------------------------------

# Photos where the count is certain; the row of three is made from two of them (as tests/analysis/test_faces.py).
FACE_COUNTS: dict[str, int] = {"analysis/astronaut.jpg": 1, "analysis/camera.jpg": 1, "row of three": 3}
# A brass band on a dark stage: about nine lit faces, each 8-15 px wide. Reported, not scored: a count there
# is a judgement.
CROWD = "real/BSG1.tiff"
CROWD_FACES = 9
# Photos with no human face (a cat's face and a trail camera's foliage among them). long_description.jpg is in
# neither list: soldiers seen from behind, 100 px wide.
FACE_FREE = [name for name, terms in PHOTOS.items()
             if "people" not in terms and name != "real/long_description.jpg"]


def row_of_three() -> Image.Image:
    with Image.open(ANALYSIS_CORPUS / "astronaut.jpg") as astronaut, Image.open(ANALYSIS_CORPUS / "camera.jpg") as man:
        left = astronaut.convert("RGB").crop((80, 0, 380, 300))
        middle = man.convert("RGB").crop((150, 0, 450, 300))
    return Image.fromarray(np.hstack([np.asarray(left), np.asarray(middle), np.asarray(ImageOps.mirror(left))]))


# --- OCR ----------------------------------------------------------------------------------------------------

POSTER_EN = [("SUMMER MARKET", 64), ("Fresh strawberries", 48), ("Only $3.49 a basket", 48),
             ("Saturday 9 to 14", 40), ("Harbour Square", 40)]
POSTER_DE = [("Wochenmarkt am Hafen", 56), ("Frische Äpfel und Birnen", 44), ("Größe 42: nur 12,90 €", 44),
             ("Öffnungszeiten Mo-Fr 9-18 Uhr", 36), ("Süße Brötchen 0,45 €", 36)]
# Pillow's own font has no umlauts or euro sign; Debian's fonts-dejavu-core has.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass
class Sample:
    name: str
    picture: Image.Image
    expected: str
    suffix: str = ".png"
    quality: int = 95


def _rendered(lines: list[tuple[str, int]], font_path: Path | None) -> Image.Image:
    if font_path is None:
        return text_image(lines)
    from PIL import ImageDraw

    picture = Image.new("RGB", (1000, 700), "white")
    draw = ImageDraw.Draw(picture)
    y = 40
    for text, points in lines:
        draw.text((40, y), text, font=ImageFont.truetype(str(font_path), points), fill=(20, 20, 20))
        y += int(points * 2)
    return picture


def _low_contrast(picture: Image.Image) -> Image.Image:
    grey = np.asarray(picture.convert("L"), dtype=np.float32)
    return Image.fromarray((120 + grey * (60 / 255)).astype(np.uint8)).convert("RGB")  # ink 120, paper 180


def ocr_samples() -> Iterator[Sample]:
    """Two posters (English with Pillow's font; German with umlauts and euro prices in DejaVu Sans, when there),
    each clean and degraded nine ways, the last ones past where reading holds."""
    posters = [("English poster", POSTER_EN, None)]
    if DEJAVU.is_file():
        posters.append(("German poster", POSTER_DE, DEJAVU))
    for title, lines, font_path in posters:
        clean = _rendered(lines, font_path)
        expected = " ".join(text for text, _ in lines)
        yield Sample(f"{title}, clean", clean, expected)
        yield Sample(f"{title}, blurred (2 px)", clean.filter(ImageFilter.GaussianBlur(2)), expected)
        yield Sample(f"{title}, turned 4°", clean.rotate(4, expand=True, fillcolor="white",
                                                         resample=Image.Resampling.BICUBIC), expected)
        yield Sample(f"{title}, low contrast (grey on grey)", _low_contrast(clean), expected)
        yield Sample(f"{title}, JPEG quality 20", clean, expected, suffix=".jpg", quality=20)
        yield Sample(f"{title}, blurred (5 px)", clean.filter(ImageFilter.GaussianBlur(5)), expected)
        small = clean.resize((clean.width * 2 // 5, clean.height * 2 // 5), Image.Resampling.LANCZOS)
        yield Sample(f"{title}, small (text 14-26 px high)", small, expected)
        tiny = clean.resize((clean.width // 4, clean.height // 4), Image.Resampling.LANCZOS)
        yield Sample(f"{title}, tiny (text 9-16 px high)", tiny, expected)
        tinier = clean.resize((clean.width // 6, clean.height // 6), Image.Resampling.LANCZOS)
        yield Sample(f"{title}, tinier (text 6-11 px high)", tinier, expected)
        phone = clean.filter(ImageFilter.GaussianBlur(1.2)).rotate(-2, expand=True, fillcolor="white",
                                                                   resample=Image.Resampling.BICUBIC)
        yield Sample(f"{title}, phone photo (soft, turned, JPEG 55)", phone, expected, suffix=".jpg", quality=55)


# --- barcodes -----------------------------------------------------------------------------------------------

GTIN = "400638133393"
GTIN += ean13_check_digit(GTIN)
QR_TEXT = "https://dam.example.org/a/7f3c2e"
# Photos the codes are pasted into, each first scaled to 2400 px wide as a camera's photo would be.
BACKGROUNDS = ["real/Reconyx_HC500_Hyperfire.jpg", "real/gps_DSCN0010.jpg", "real/BSG1.tiff",
               "real/orientation_landscape_1.jpg", "analysis/coffee.jpg"]


def _on_white(code: Image.Image, size: tuple[int, int] = (900, 700)) -> Image.Image:
    canvas = Image.new("RGB", size, "white")
    canvas.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return canvas


def _noisy(picture: Image.Image, seed: int) -> Image.Image:
    """Soft focus, grey ink on grey paper, and sensor noise (sigma 20 of 255)."""
    grey = np.asarray(picture.convert("L").filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32)
    grey = 60 + grey * 0.6 + np.random.default_rng(seed).normal(0, 20, grey.shape)
    return Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")


def _pasted(code: Image.Image, background: str, seed: int) -> Image.Image:
    with Image.open(photo_path(background)) as photo:
        picture = ImageOps.exif_transpose(photo).convert("RGB")
    picture = picture.resize((2400, round(picture.height * 2400 / picture.width)), Image.Resampling.BICUBIC)
    rng = random.Random(seed)
    x = rng.randint(50, picture.width - code.width - 50)
    y = rng.randint(50, picture.height - code.height - 50)
    picture.paste(code, (x, y))
    return picture


def barcode_samples() -> Iterator[Sample]:
    """Each code clean, turned (three angles), noisy, and pasted small (about a tenth of the width) into photos."""
    codes = [("EAN-13", ean13_image(GTIN), ean13_image(GTIN, module=2, height=70), GTIN),
             ("QR", qr_image(QR_TEXT), qr_image(QR_TEXT, scale=3), QR_TEXT)]
    for kind, big, small, value in codes:
        yield Sample(f"{kind} clean", _on_white(big), value, suffix=".jpg", quality=90)
        for angle in (17, 33, 90):
            turned = _on_white(big).rotate(angle, expand=True, fillcolor="white")
            yield Sample(f"{kind} turned {angle}°", turned, value, suffix=".jpg", quality=90)
        yield Sample(f"{kind} noisy", _noisy(_on_white(big), seed=7), value, suffix=".jpg", quality=90)
        for n, background in enumerate(BACKGROUNDS):
            yield Sample(f"{kind} small in {Path(background).name}", _pasted(small, background, seed=n), value,
                         suffix=".jpg", quality=90)


# --- transcripts --------------------------------------------------------------------------------------------

SHIPPED_SPEECH = ANALYSIS_CORPUS / "speech.flac"
SHIPPED_SENTENCE = ("Please send the photographs of the harbour to the archive by Friday morning. "
                    "The brown dog sleeps near the old lighthouse.")
# Made with espeak-ng at bench time when it is installed: (voice, words per minute, text).
ESPEAK_SENTENCES = [
    ("en-gb", 140, "The new catalogue shows green bottles on a wooden table near the kitchen window."),
    ("en-us", 150, "Our spring campaign starts on Monday with pictures of the mountain trail and the river "
                   "at sunset, so every team should upload their best images before the weekend."),
]
NOISE_SNR_DB = (10, 5)  # white noise mixed in at these signal-to-noise ratios
# Spellings Whisper may choose that mean the same word: not counted as errors.
SPELLINGS = {"harbor": "harbour", "catalog": "catalogue", "color": "colour"}
