"""What the WebDAV drive keeps beside the DAM's own models: its lock tokens and each person's scratch files."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from assets.models import Asset, AssetVersion, Collection


class DavLock(models.Model):
    """A WebDAV lock token, in the database so that every web process agrees on it.

    A lock on an asset is also that asset's check-out (workflows.AssetLock): the check-out is the authority,
    so a lock whose check-out was given back or broken in the UI counts as gone.
    """

    token = models.CharField(max_length=100, unique=True)
    # The locked resource's path under /dav/ ("/Marketing/logo.psd"), without a trailing slash.
    path = models.CharField(max_length=1024, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, default="exclusive")
    depth = models.CharField(max_length=10, default="0")
    # The client's <owner> element, kept as sent so that lockdiscovery gives it back.
    owner_xml = models.TextField(blank=True)
    timeout = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.path} locked by {self.owner}"


class DriveName(models.Model):
    """The name an app saved a new asset under, when ingest kept it under another one.

    Ingest names a file by its content (a "notes" that is plain text is kept as "notes.txt"); an app that
    saved "notes" looks for "notes" next, so the drive shows the asset under the name it was saved as.
    """

    asset = models.OneToOneField(Asset, primary_key=True, on_delete=models.CASCADE, related_name="drive_name")
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class ScratchFile(models.Model):
    """A desktop app's temporary file (~$name.docx, ._name, .DS_Store ...) in one person's scratch space.

    Never an asset: it is listed back only to its owner, in the folder it was written to (none: the drive's
    top level), and swept a day after it was last written. Its bytes are in the default storage under `key`.

    An asset an app renamed aside in its save dance (Word: "MOVE report.docx ~WRL0001.tmp") is kept here too,
    as a name for one of its versions (`version`, no bytes of its own) that hides the asset's own name
    (`hides`) from that person until the app has put the new file in its place.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    key = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    content_type = models.CharField(max_length=127, blank=True)
    version = models.ForeignKey(AssetVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    hides = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "collection"], name="dav_scratch_folder_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"
