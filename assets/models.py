from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from assets import formats, similarity
from taxonomy.models import AssetType


class RightsOnExpiry(models.TextChoices):
    # A folder's own choice, or its parent's (assets.expiry resolves it; a top-level folder that inherits hides).
    INHERIT = "inherit", "As the parent folder"
    HIDE = "hide", "Hide it until its rights are renewed"
    ARCHIVE = "archive", "Move it to the archive"
    NOTIFY = "notify", "Keep it in use and only tell its owner and the collection's managers"


class LicenceType(models.Model):
    """The controlled list of licences an asset's `licence` is chosen from (kept by admins)."""

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Retired licences stay on the assets that have them.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Collection(models.Model):
    """A folder in the tree; the unit that access is granted on.

    `path` is the materialised chain of ids ("/1/5/9/"), so "this folder and
    everything under it" is one indexed prefix match, and grants on a folder
    flow down to its sub-folders and assets in a single SQL query.
    """

    class Delivery(models.TextChoices):
        PUBLIC = "public", "Public: anyone with the URL (a website's images)"
        SIGNED = "signed", "Signed URLs that expire"
        TOKEN = "token", "Only with an integration's key"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1024, db_index=True, editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # How outside tools may fetch its approved assets' delivery URLs (distribution.delivery): signed by
    # default, so nothing becomes world-readable until an admin says so.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.SIGNED)
    # What the daily rights job (archive.rights) does when an asset's rights expire here: as the parent folder
    # unless chosen (assets.expiry resolves it).
    rights_on_expiry = models.CharField(max_length=10, choices=RightsOnExpiry.choices,
                                        default=RightsOnExpiry.INHERIT)

    class Meta:
        ordering = ["path"]
        permissions = [
            ("contribute_collection", "Add assets to the collection"),
            ("manage_collection", "Manage the collection and its grants"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="collection_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assets:collection_detail", args=[self.pk])

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class CollectionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Collection, on_delete=models.CASCADE)


class CollectionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Collection, on_delete=models.CASCADE)


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class Asset(models.Model):
    """The logical item people find, describe, approve and use; its files are its versions."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="assets")
    asset_type = models.CharField(max_length=10, choices=AssetType.choices, default=AssetType.OTHER, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assets")
    team = models.ForeignKey("auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.CharField(max_length=200, blank=True)
    # Usage rights: first-class fields, because expiry and embargo decide visibility.
    licence = models.CharField(max_length=200, blank=True)
    rights_holder = models.CharField(max_length=200, blank=True)
    usage_terms = models.TextField(blank=True)
    channels = models.JSONField(default=list, blank=True)
    rights_expire_at = models.DateTimeField(null=True, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    rights_start = models.DateTimeField(null=True, blank=True)
    credit_line = models.CharField(max_length=300, blank=True)
    regions = models.JSONField(default=list, blank=True)
    # Set by archive.rights when a release document is attached or removed: the documents live there.
    model_release = models.BooleanField(default=False)
    property_release = models.BooleanField(default=False)
    # Where the picture's subject is, as fractions of the upright width and height: crops keep it in frame.
    focal_x = models.FloatField(null=True, blank=True)
    focal_y = models.FloatField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    terms: models.ManyToManyField = models.ManyToManyField("taxonomy.Term", through="AssetTerm", blank=True,
                                                           related_name="assets")
    current_version = models.ForeignKey("AssetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    approved_version = models.ForeignKey("AssetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)
    # Moved to the bin by a retention rule or an admin (archive.retention): hidden from everyone, even at its
    # address, until restored or purged for good. Here, not in archive, because the visibility rule reads it.
    binned_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Kept by distribution's download receiver (apps import downward), for "most downloaded" sorting.
    download_count = models.PositiveIntegerField(default=0, db_index=True)
    # Bumped on every metadata edit; the API's ETag, so a stale edit gets 409.
    revision = models.PositiveIntegerField(default=1)
    # Who made the last edit (the API shows it, so a client that edits without If-Match sees whose
    # change it may have written over).
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("download_asset", "Download the asset")]
        indexes = [models.Index(fields=["collection", "-created_at"], name="asset_collection_recent_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assets:detail", args=[self.uid])

    @property
    def etag(self) -> str:
        return f'"{self.uid.hex}-{self.revision}"'


class AssetTerm(models.Model):
    """A vocabulary term on an asset: given by a person, or suggested by a machine with a confidence."""

    class Source(models.TextChoices):
        HUMAN = "human", "Human"
        AUTO = "auto", "Automatic"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="term_links")
    term = models.ForeignKey("taxonomy.Term", on_delete=models.CASCADE, related_name="asset_links")
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.HUMAN)
    confidence = models.FloatField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Both directions start with an id: facet counts seek by asset, term pages seek by term
        # (SQLite otherwise skip-scans; see DESIGN.md's known traps).
        constraints = [models.UniqueConstraint(fields=["asset", "term"], name="assetterm_unique")]
        indexes = [models.Index(fields=["term", "asset"], name="assetterm_term_asset_idx")]

    def __str__(self) -> str:
        return f"{self.asset_id} → {self.term_id}"


class AssetUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Asset, on_delete=models.CASCADE)


class AssetGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Asset, on_delete=models.CASCADE)


def original_upload_to(instance: AssetVersion, filename: str) -> str:
    # The storage key never contains the uploader's filename: no path tricks, no
    # collisions, no leaking names into URLs. The display name is kept apart.
    key = uuid.uuid4().hex
    return f"originals/{key[:2]}/{key[2:4]}/{key}"


class StorageTier(models.TextChoices):
    """Which storage holds a version's original (assets.originals opens it from there)."""

    PRIMARY = "primary", "Primary storage"
    ARCHIVE = "archive", "Archive tier"


class AssetVersion(models.Model):
    """One revision of an asset: an immutable file plus what was learnt from it."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=original_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=127)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for audio and video.")
    pages = models.PositiveIntegerField(null=True, blank=True)
    embedded_metadata = models.JSONField(default=dict, blank=True)
    phash = models.CharField(max_length=32, blank=True)
    dominant_colors = models.JSONField(default=list, blank=True)
    # Copied out of embedded_metadata at ingest (ingest.metadata.capture_facts) so that the camera and
    # capture-date filters and facets are plain indexed columns with statistics: a condition on a JSON
    # path left PostgreSQL guessing (0.5% of rows) and reading every version to test it.
    camera_make = models.CharField(max_length=100, blank=True, default="")
    camera_model = models.CharField(max_length=100, blank=True, default="")
    captured_on = models.DateField(null=True, blank=True)
    # Text found in the file by content analysis (OCR, a transcript, barcode values), written by the analysis
    # app; the search index reads it from the version viewers are shown, like the file's other facts.
    content_text = models.TextField(blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    change_note = models.TextField(blank=True)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT,
                                    db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where the original is (archive.tier moves it). Switched only once the copy in the other tier was
    # read back and matched size and sha256, so the file is always where this says.
    storage_tier = models.CharField(max_length=10, choices=StorageTier.choices, default=StorageTier.PRIMARY)
    storage_tier_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asset", "-number"]
        constraints = [models.UniqueConstraint(fields=["asset", "number"], name="version_unique_number")]
        indexes = [models.Index(fields=["camera_make", "camera_model"], name="version_camera_idx"),
                   models.Index(fields=["captured_on"], name="version_captured_idx"),
                   # The perceptual hash's bands, for the near-duplicate lookup (assets.similarity).
                   *(models.Index(similarity.band(i), "phash", "id", name=f"version_phash_band{i}_idx")
                     for i in range(similarity.BANDS))]

    def __str__(self) -> str:
        return f"{self.asset} v{self.number}"

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")

    @property
    def has_renditions(self) -> bool:
        """Whether rendition jobs are made for this file type (SVG, audio, office files get a type icon)."""
        return formats.can_render(self.mime_type)


class Rendition(models.Model):
    """A derivative of one version for one preset, made by a background job.

    The standard renditions (thumb, preview, web) are made for every version after upload.
    Other derivatives (distribution's download presets, watermarked copies) carry their
    recipe in `spec` and a `variant` key (a digest of that recipe), so a changed preset or
    watermark is a new row and the old file is never served for the new recipe.
    """

    class Preset(models.TextChoices):
        THUMB = "thumb", "Thumbnail"
        PREVIEW = "preview", "Preview"
        WEB = "web", "Web JPEG"

    class Status(models.TextChoices):
        PENDING = "pending", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Unavailable"

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="renditions")
    preset = models.CharField(max_length=64, help_text="thumb, preview, web, or a download preset's name.")
    # "" for the standard renditions; for a recipe's derivative, a digest of `spec`.
    variant = models.CharField(max_length=32, blank=True, default="")
    # How to make it (assets.derivatives.Spec): size, fit, format, quality, metadata, watermark; {} = standard.
    spec = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="renditions/", max_length=255, blank=True)
    mime_type = models.CharField(max_length=127, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Each job that begins making it counts an attempt before it decodes anything, and says where it runs
    # ("host:pid"): a job whose worker dies mid-way still counts, and can be found and run again.
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "preset", "variant"],
                                               name="rendition_unique_preset_variant")]
        # The watchdog looks for pending renditions whose job began long ago.
        indexes = [models.Index(fields=["status", "started_at"], name="rendition_status_started_idx")]

    def __str__(self) -> str:
        return f"{self.version} {self.preset}{f' ({self.variant})' if self.variant else ''}"


class StorageSweep(models.Model):
    """One comparison of the file store with the rows (assets.sweep): what was found and removed."""

    ran_at = models.DateTimeField(auto_now_add=True, db_index=True)
    checked = models.PositiveIntegerField(help_text="Stored files looked at.")
    orphans = models.PositiveIntegerField(help_text="Stored files no row points to (older than an hour).")
    removed = models.PositiveIntegerField()
    bytes_freed = models.BigIntegerField()
    missing_originals = models.JSONField(default=list, help_text="Uids of assets whose original file is missing.")
    missing_renditions = models.PositiveIntegerField(help_text="Renditions whose file was missing (made again).")

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"storage sweep {self.ran_at:%Y-%m-%d %H:%M}"
