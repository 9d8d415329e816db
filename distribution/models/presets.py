from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Watermark(models.Model):
    """A mark laid over downloads: a PNG (with transparency) or a text, at a position, scale and opacity.

    A text may name who it was made for ({recipient}, {link_title}), so a leaked file says whose it was.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", "Image (PNG)"
        TEXT = "text", "Text"

    class Position(models.TextChoices):
        CENTER = "center", "Centre"
        TOP_LEFT = "top-left", "Top left"
        TOP_RIGHT = "top-right", "Top right"
        BOTTOM_LEFT = "bottom-left", "Bottom left"
        BOTTOM_RIGHT = "bottom-right", "Bottom right"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.TEXT)
    image = models.FileField(upload_to="watermarks/", max_length=255, blank=True)
    text = models.CharField(max_length=200, blank=True,
                            help_text="May include {recipient} (the e-mail a share link was sent to) and {link_title}.")
    position = models.CharField(max_length=12, choices=Position.choices, default=Position.BOTTOM_RIGHT)
    scale = models.PositiveSmallIntegerField(default=25, validators=[MinValueValidator(1), MaxValueValidator(100)],
                                             help_text="Width of the mark, in per cent of the picture's width.")
    opacity = models.PositiveSmallIntegerField(default=50, validators=[MinValueValidator(1), MaxValueValidator(100)],
                                               help_text="In per cent: 100 is solid.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Preset(models.Model):
    """A way to download an asset: the original, or a derivative of a size, shape, format and metadata.

    Derivatives are cached per (version, recipe) as assets.Rendition rows; a changed preset is a new
    recipe, so its next download is made afresh and the old files are never served for it.
    """

    class Fit(models.TextChoices):
        CONTAIN = "contain", "Fit inside the size"
        COVER = "cover", "Fill the size, cropped (to the focal point)"

    class Format(models.TextChoices):
        ORIGINAL = "original", "The original file"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"
        AVIF = "avif", "AVIF"

    class Profile(models.TextChoices):
        SRGB = "srgb", "sRGB, profile embedded"
        NONE = "none", "sRGB, no profile (smallest)"

    class Metadata(models.TextChoices):
        RIGHTS = "rights", "The asset's rights, title and description"
        KEEP = "keep", "Those, and the original's credits, captions and keywords (never its location)"
        STRIP = "strip", "None at all"

    name = models.SlugField(max_length=50, unique=True, help_text="Used in URLs and the API, e.g. social-square.")
    label = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    max_width = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(20000)])
    max_height = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(20000)])
    fit = models.CharField(max_length=7, choices=Fit.choices, default=Fit.CONTAIN)
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.JPEG)
    quality = models.PositiveSmallIntegerField(default=85, validators=[MinValueValidator(1), MaxValueValidator(100)])
    color_profile = models.CharField(max_length=4, choices=Profile.choices, default=Profile.SRGB)
    metadata = models.CharField(
        max_length=6, choices=Metadata.choices, default=Metadata.RIGHTS,
        help_text="What the file says about itself. The asset's rights are its current ones, written at download.")
    watermark = models.ForeignKey(Watermark, null=True, blank=True, on_delete=models.PROTECT, related_name="presets")
    restricted = models.BooleanField(
        default=False, help_text="Only people who may edit an asset may download it this way.")
    builtin = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.label or self.name

    @property
    def is_original(self) -> bool:
        return self.format == self.Format.ORIGINAL

    @property
    def strip_metadata(self) -> bool:
        """Whether the file goes without any embedded metadata (the API's older yes/no field)."""
        return self.metadata == self.Metadata.STRIP
