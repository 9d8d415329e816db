"""The search index (one row and one text row per asset), colours, the vocabulary's generation, saved searches.

The tables kept the names they had when search was part of the assets app (db_table).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from assets import colors
from assets.models import Asset


class SearchText(models.Model):
    """The searchable text of one asset, normalised and split into its four weights.

    Rewritten by `search.index` in the same transaction as the change it
    reflects, just before the asset's SearchDocument. The database keeps its own
    full-text index current from these columns (migration 0018): on SQLite an FTS5
    table fed by triggers on this table; on PostgreSQL triggers write the weighted
    `tsvector` onto the asset's SearchDocument row, where the search reads it.

    Why apart from SearchDocument: a search reads the index row of every match
    that passes its bitmaps (10,000 for a broad word at 1,000,000 assets), and
    these texts, needed only to make the vector, were a third of that row; the
    narrower row made the slowest searches 0.70-0.84 times as long
    (docs/performance.md). PostgreSQL keeps rows under 2 kB
    whole, so no storage setting could move them out instead.
    """

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, primary_key=True, related_name="search_text")
    title = models.TextField(blank=True)
    labels = models.TextField(blank=True)
    description = models.TextField(blank=True)
    other = models.TextField(blank=True)

    class Meta:
        db_table = "assets_searchtext"

    def __str__(self) -> str:
        return f"search text of {self.asset_id}"


class SearchDocument(models.Model):
    """What a search tests of one asset: its full-text vector (a database-only column on PostgreSQL,
    written from its SearchText by triggers), its term keys, colour families and the copies of its
    access and filter facts. Rewritten by `search.index` with its SearchText."""

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
    rights_start = models.DateTimeField(null=True)
    # The asset's own term links as {"<term id>": 1}: object keys, so "tagged with any of these terms"
    # is one `?|` test, on the same row as the text and the access facts (AssetFilter.filter_queryset).
    # PostgreSQL: the text, the term keys and the colour families share one GIN index (migration 0015),
    # so that a word and a frequent term or family are intersected inside one index scan.
    terms = models.JSONField(default=dict)
    # The colour families that count for the family filter (share >= colors.MIN_SHARE), as {"blue": 1}.
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
        db_table = "assets_searchdocument"
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
        db_table = "assets_assetcolor"
        # Facet counts seek by asset; the family filter seeks by family (see DESIGN.md's known traps). The
        # family index holds only the patches the filter counts, so the filter reads the index alone
        # (measured at 200,000 assets: 135-190 ms -> 90 ms for a word plus a colour family).
        indexes = [
            models.Index(fields=["asset", "family"], name="assetcolor_asset_family_idx"),
            models.Index(fields=["family", "asset"], condition=models.Q(share__gte=colors.MIN_SHARE),
                         name="assetcolor_family_counted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.hex}"


class VocabularyGeneration(models.Model):
    """One row: a number bumped in the same transaction as every vocabulary change.

    Every process keeps its own snapshot of the term graph (search.expansion)
    and compares it with this number once per request. Being a row, the bump is
    seen by other processes exactly when the change commits: never before (a
    process reloading then would cache the old graph under the new number), never
    minutes later, and without a shared cache.
    """

    number = models.BigIntegerField(default=0)

    class Meta:
        db_table = "assets_vocabularygeneration"

    def __str__(self) -> str:
        return f"vocabulary generation {self.number}"


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
        db_table = "assets_savedsearch"
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="savedsearch_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("search:saved_search_open", args=[self.pk])


class SavedSearchVisit(models.Model):
    """When a user last opened a saved search: the "N new since your last visit" mark."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        db_table = "assets_savedsearchvisit"
        constraints = [models.UniqueConstraint(fields=["search", "user"], name="savedsearchvisit_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.search_id} at {self.seen_at}"


class SearchEvent(models.Model):
    """One search someone ran (on /assets/ or GET /api/v1/assets/): the data behind the search reports.

    Written once per search, on its first page; paging does not count it again. The searcher is kept
    only when DAM_ANALYTICS_RECORD_SEARCH_USERS is on: by default a search says what was looked for,
    not who looked.
    """

    class Source(models.TextChoices):
        PAGE = "page", "Asset list"
        API = "api", "API"

    query = models.CharField(max_length=300, blank=True, help_text="The words, normalised (case, accents).")
    filters = models.JSONField(default=dict, blank=True, help_text="The filters used besides the words.")
    result_count = models.PositiveIntegerField()
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.PAGE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(db_index=True)
    # When a result was first opened from this search's page (only page searches carry result links).
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["query", "created_at"], name="searchevent_query_idx")]

    def __str__(self) -> str:
        return f"{self.query or '(filters only)'}: {self.result_count} at {self.created_at:%Y-%m-%d %H:%M}"
