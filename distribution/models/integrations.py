from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models


class Integration(models.Model):
    """An outside tool that pulls approved assets: a CMS, a social scheduler, a website.

    Its key (only the SHA-256 is kept; shown once) opens delivery URLs of collections that
    deliver to integrations only, and names the tool in download counts; its allowed origins
    are the web pages that may embed the picker and receive what a person picks.
    """

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    allowed_origins = models.JSONField(default=list, blank=True,
                                       help_text="Origins (scheme://host[:port]) that may open the picker.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
