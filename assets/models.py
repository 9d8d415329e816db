from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from assets import similarity


class Collection(models.Model):
    """A folder in the tree; the unit that access is granted on.

    `path` is the materialised chain of ids ("/1/5/9/"), so "this folder and
    everything under it" is one indexed prefix match, and grants on a folder
    flow down to its sub-folders and assets in a single SQL query.
    """

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1024, db_index=True, editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

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


class AssetType(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


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
    metadata = models.JSONField(default=dict, blank=True)
    terms: models.ManyToManyField = models.ManyToManyField("taxonomy.Term", through="AssetTerm", blank=True,
                                                           related_name="assets")
    current_version = models.ForeignKey("AssetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    approved_version = models.ForeignKey("AssetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)
    # Kept by distribution's download receiver (apps import downward), for "most downloaded" sorting.
    download_count = models.PositiveIntegerField(default=0, db_index=True)
    # Bumped on every metadata edit; the API's ETag, so a stale edit gets 409.
    revision = models.PositiveIntegerField(default=1)
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
    # Copied out of embedded_metadata at ingest (assets.metadata.capture_facts) so that the camera and
    # capture-date filters and facets are plain indexed columns with statistics: a condition on a JSON
    # path left PostgreSQL guessing (0.5% of rows) and reading every version to test it.
    camera_make = models.CharField(max_length=100, blank=True, default="")
    camera_model = models.CharField(max_length=100, blank=True, default="")
    captured_on = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    change_note = models.TextField(blank=True)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT,
                                    db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
        from assets.files import can_render

        return can_render(self.mime_type)


class Rendition(models.Model):
    """A derivative of one version for one preset, made by a background job."""

    class Preset(models.TextChoices):
        THUMB = "thumb", "Thumbnail"
        PREVIEW = "preview", "Preview"
        WEB = "web", "Web JPEG"

    class Status(models.TextChoices):
        PENDING = "pending", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Unavailable"

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="renditions")
    preset = models.CharField(max_length=20, choices=Preset.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="renditions/", max_length=255, blank=True)
    mime_type = models.CharField(max_length=127, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "preset"], name="rendition_unique_preset")]

    def __str__(self) -> str:
        return f"{self.version} {self.preset}"


class OnDuplicate(models.TextChoices):
    """What to do with a file whose exact bytes are already in the DAM."""

    REPORT = "report", "Report it as a duplicate"
    NEW_VERSION = "new_version", "Add it as a new revision of the existing asset"
    KEEP_BOTH = "keep_both", "Keep both as separate assets"


class IngestBatch(models.Model):
    """One upload session or import run; every file sent in it gets an IngestItem."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload page"
        API = "api", "API"
        IMPORT = "import", "import_assets command"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="ingest_batches")
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="ingest_batches")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    on_duplicate = models.CharField(max_length=12, choices=OnDuplicate.choices, default=OnDuplicate.REPORT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("assets:batch_detail", args=[self.pk])


class IngestItem(models.Model):
    """The outcome for one file of a batch: created, a new revision, a duplicate, or rejected with a reason."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        NEW_VERSION = "new_version", "Added as a new revision"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected"

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="items")
    filename = models.CharField(max_length=255)
    # For a file that came out of an archive: the archive's name and the entry's path inside it.
    archive = models.CharField(max_length=255, blank=True)
    entry = models.CharField(max_length=1024, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.ForeignKey(AssetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["batch", "outcome"], name="ingestitem_batch_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.filename}: {self.outcome}"


# --- metadata schema and term proposals ---------------------------------------
# These link the vocabulary to assets and collections, so they live here, on the
# assets side: taxonomy sits below assets and must not know about them.

class MetadataField(models.Model):
    """One field of the metadata schema; values live in Asset.metadata under `key`."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes / no"
        URL = "url", "URL"
        CHOICE = "choice", "Choice"
        TERM = "term", "Term from a vocabulary"

    key = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    field_type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    vocabulary = models.ForeignKey("taxonomy.Vocabulary", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True)
    # Empty means "every asset type" / "every collection"; a collection covers its sub-folders.
    asset_types = models.JSONField(default=list, blank=True)
    collections = models.ManyToManyField(Collection, blank=True, related_name="+")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label


class TermProposal(models.Model):
    """A term someone wants in the vocabulary, for one asset; librarians accept, map or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        MAPPED = "mapped", "Mapped to an existing term"
        REJECTED = "rejected", "Rejected"

    class Origin(models.TextChoices):
        PERSON = "person", "Proposed by a person"
        EMBEDDED = "embedded", "Embedded keyword"

    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="term_proposals")
    vocabulary = models.ForeignKey("taxonomy.Vocabulary", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    label = models.CharField(max_length=300)
    language = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PERSON)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    term = models.ForeignKey("taxonomy.Term", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class NamingRule(models.Model):
    """A filename convention for one collection (and its sub-folders) or one asset type."""

    pattern = models.CharField(max_length=200, help_text="e.g. {campaign}_{type}_{date:%Y%m%d}")
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    asset_type = models.CharField(max_length=10, choices=AssetType.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.pattern


# --- search ------------------------------------------------------------------

class SearchText(models.Model):
    """The searchable text of one asset, normalised and split into its four weights.

    Rewritten by `assets.search.index` in the same transaction as the change it
    reflects, just before the asset's SearchDocument. The database keeps its own
    full-text index current from these columns (migration 0018): on SQLite an FTS5
    table fed by triggers on this table; on PostgreSQL triggers write the weighted
    `tsvector` onto the asset's SearchDocument row, where the search reads it.

    Why apart from SearchDocument: a search reads the index row of every match
    that passes its bitmaps (10,000 for a broad word at 1,000,000 assets), and
    these texts, needed only to make the vector, were a third of that row; the
    narrower row made the slowest searches 0.70-0.84 times as long
    (docs/performance.md, thirteenth session). PostgreSQL keeps rows under 2 kB
    whole, so no storage setting could move them out instead.
    """

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, primary_key=True, related_name="search_text")
    title = models.TextField(blank=True)
    labels = models.TextField(blank=True)
    description = models.TextField(blank=True)
    other = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search text of {self.asset_id}"


class SearchDocument(models.Model):
    """What a search tests of one asset: its full-text vector (a database-only column on PostgreSQL,
    written from its SearchText by triggers), its term keys, colour families and the copies of its
    access and filter facts. Rewritten by `assets.search.index` with its SearchText."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    # Copies of the asset's access facts, under the asset's own column names, so that the permission
    # authority's one visibility rule (assets.permissions.visibility_q) can narrow a search inside the
    # same index scan as the text, before any asset row is read. Every row shown is still read through
    # the rule on the asset itself (a stale copy could leave a gap in a page, never show a row); counts
    # taken from index rows trust the copies, which are written in the asset's own transaction.
    collection_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    approved_version_id = models.BigIntegerField(null=True)
    archived_at = models.DateTimeField(null=True)
    rights_expire_at = models.DateTimeField(null=True)
    embargo_until = models.DateTimeField(null=True)
    # The asset's own term links as {"<term id>": 1}: object keys, so "tagged with any of these terms"
    # is one `?|` test, on the same row as the text and the access facts (AssetFilter.filter_queryset).
    # PostgreSQL: the text, the term keys and the colour families share one GIN index (migration 0015),
    # so that a word and a frequent term or family are intersected inside one index scan.
    terms = models.JSONField(default=dict)
    # The colour families that count for the family filter (share >= MIN_COLOR_SHARE), as {"blue": 1}.
    color_families = models.JSONField(default=dict)
    # What a viewer's filters ask of an asset, so that a viewer's whole search (text, terms, every
    # filter and the rank) is answered by index rows and only the page's rows are read from the assets
    # (AssetFilter.result_ids): the asset's type and upload time under its own names, and the facts of
    # its approved version, the one viewers are shown (null while nothing is approved, as the viewers'
    # filters through Asset.approved_version find nothing then either).
    asset_type = models.CharField(max_length=10, null=True)
    created_at = models.DateTimeField(null=True)
    approved_width = models.PositiveIntegerField(null=True)
    approved_height = models.PositiveIntegerField(null=True)
    approved_mime_type = models.CharField(max_length=127, null=True)
    approved_camera_make = models.CharField(max_length=100, null=True)
    approved_camera_model = models.CharField(max_length=100, null=True)
    approved_captured_on = models.DateField(null=True)

    class Meta:
        indexes = [
            # A viewer's visibility is mostly "in one of my folders": at 1,000,000 assets a B-tree scan of
            # ~300,000 row ids that PostgreSQL ANDs with the text match. The orientation, type and upload
            # time beside the folder let that one scan leave out, inside the index, the rows a viewer's
            # orientation, type or "uploaded" filter would reject after reading them (PostgreSQL pushes
            # these filters into the folder arm of the visibility OR). The two comparisons are exactly the
            # ones orientation_q writes, so the planner matches them (AssetFilter.orientation_q).
            models.Index(F("collection_id"), GreaterThan(F("approved_width"), F("approved_height")),
                         GreaterThan(F("approved_height"), F("approved_width")), F("asset_type"),
                         F("created_at"), name="searchdocument_folder_idx"),
            models.Index(fields=["owner_id"], name="searchdocument_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"search document of {self.asset_id}"


# Smaller patches are noise for "close to" and for the family facet (assets.colors.MIN_SHARE). Defined
# here because the family index is built for exactly this share.
MIN_COLOR_SHARE = 0.05


class AssetColor(models.Model):
    """One dominant colour of an asset's current version, in CIELAB, for "close to" and the family facet."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="colors")
    hex = models.CharField(max_length=7)
    family = models.CharField(max_length=20)
    share = models.FloatField()
    lightness = models.FloatField()
    a = models.FloatField()
    b = models.FloatField()

    class Meta:
        # Facet counts seek by asset; the family filter seeks by family (see DESIGN.md's known traps). The
        # family index holds only the patches the filter counts, so the filter reads the index alone
        # (measured at 200,000 assets: 135-190 ms -> 90 ms for a word plus a colour family).
        indexes = [
            models.Index(fields=["asset", "family"], name="assetcolor_asset_family_idx"),
            models.Index(fields=["family", "asset"], condition=models.Q(share__gte=MIN_COLOR_SHARE),
                         name="assetcolor_family_counted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.hex}"


class VocabularyGeneration(models.Model):
    """One row: a number bumped in the same transaction as every vocabulary change.

    Every process keeps its own snapshot of the term graph (assets.search.expansion)
    and compares it with this number once per request. Being a row, the bump is
    seen by other processes exactly when the change commits: never before (a
    process reloading then would cache the old graph under the new number), never
    minutes later, and without a shared cache.
    """

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"vocabulary generation {self.number}"


class AccessGeneration(models.Model):
    """One row: a token the database changes with every write that could change who reaches which folder or asset.

    Every process keeps the folder and asset ids each user was granted
    (assets.kept_grants) and reuses them while the token it read is current.
    Triggers (migration 0016) replace the token in the writing transaction on
    any insert, delete or path change of a folder, any write to the four grant
    tables and any change of group membership; being triggers, they also catch
    bulk writes and cascades that send no signal. The token is random rather
    than a counter because a rolled-back change must never leave behind a
    number that a later change could be given again. SQLite drops a table's
    triggers when a migration rebuilds it, so a later migration on one of those
    tables must create them again (as 0016 does); a test writes to every one
    of them and fails if a trigger is missing, and a process that finds one
    missing keeps nothing.
    """

    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"access generation {self.token}"


class SavedSearch(models.Model):
    """A named search (the list URL's query string), optionally shared with a group."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=200)
    query = models.TextField(blank=True, help_text="The query string of /assets/, without page and view.")
    shared_with = models.ForeignKey("auth.Group", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="saved_searches")
    notify = models.BooleanField(default=False, help_text="Email the owner when new assets match.")
    last_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedsearch_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assets:saved_search_open", args=[self.pk])


class SavedSearchVisit(models.Model):
    """When a user last opened a saved search: the "N new since your last visit" mark."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["search", "user"], name="savedsearchvisit_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.search_id} at {self.seen_at}"
