"""Daily rollups of the download and search events: what the report's panels read for days that are over.

A day is a calendar day in the project's time zone (settings.TIME_ZONE), decided once when the day is rolled
up, so the panels group by a plain date column instead of converting every event's time. The rows are written
only by `analytics.rollups` (the hourly job and `manage.py analytics_rollup`), which replaces a day's rows
whole, so rolling a day again is harmless. `RollupMark.through` says up to which day a table is complete:
the panels read rollups up to that day and the raw events after it.
"""
from __future__ import annotations

from django.db import models


class RollupMark(models.Model):
    """How far one rollup (`downloads` or `searches`) has got: every day up to `through` is rolled up."""

    class Name(models.TextChoices):
        DOWNLOADS = "downloads", "Downloads and deliveries"
        SEARCHES = "searches", "Searches"

    name = models.CharField(max_length=16, choices=Name.choices, unique=True)
    through = models.DateField()
    rolled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_name_display()} rolled up through {self.through}"


class DownloadDay(models.Model):
    """Files sent on one day, of one asset, through one of the report's four channels.

    `asset` is set to null when the asset is purged: its downloads keep counting in the day's totals, but it
    leaves every list of assets. `collection` is the asset's folder on the day the row was rolled up.
    """

    day = models.DateField()
    asset = models.ForeignKey("assets.Asset", null=True, on_delete=models.SET_NULL, related_name="+")
    collection = models.ForeignKey("assets.Collection", null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=12)  # analytics.selectors.downloads.CHANNELS: user, share_link, ...
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "asset", "channel"], name="downloadday_unique")]
        # Scoped readers start from the assets they may see and look up each one's days; the index holds every
        # column they read, so no row is visited (measured on SQLite at 634,000 rows: a third less time).
        indexes = [models.Index(fields=["asset", "day", "channel", "count", "collection"],
                                name="downloadday_asset_cover_idx")]

    def __str__(self) -> str:
        return f"{self.day} asset {self.asset_id} {self.channel}: {self.count}"


class DownloadCollectionDay(models.Model):
    """Files sent on one day from one folder through one channel, every asset together (purged ones included):
    what an administrator's unfiltered chart and folder list read, a few rows a day instead of one per asset."""

    day = models.DateField()
    collection = models.ForeignKey("assets.Collection", null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=12)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "channel"], name="downloadcollectionday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} folder {self.collection_id} {self.channel}: {self.count}"


class SearchDay(models.Model):
    """The searches of one day with the same words, from one place (`source`), that found something or not.

    Searches by filters alone (no words) are not rolled up: no panel lists them. `opened` counts those
    searches a result was opened from; an opening after the day was rolled up is added by
    `analytics.rollups.search_opened_late`.
    """

    day = models.DateField()
    query = models.CharField(max_length=300)
    source = models.CharField(max_length=4)  # search.models.SearchEvent.Source
    found = models.BooleanField()  # result_count > 0
    count = models.PositiveIntegerField()
    opened = models.PositiveIntegerField()
    max_results = models.PositiveIntegerField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "query", "source", "found"], name="searchday_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.query!r} ({self.source}, found={self.found}): {self.count}"
