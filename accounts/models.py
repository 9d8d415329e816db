from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.roles import role_of


class User(AbstractUser):
    """A person (or an outside tool's service account) who signs in.

    A user's role is the role group they belong to (see accounts.roles.Role);
    teams are plain groups that collection grants are given to.
    """

    @property
    def role(self) -> str | None:
        return role_of(self)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Capability(models.Model):
    """Holds the role capabilities as Django permissions; it has no table.

    Role groups are granted these (see accounts.permissions.ROLE_CAPABILITIES),
    so `user.has_perm("accounts.upload")` answers "may this role upload".
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("upload", "Upload assets and new revisions of own assets"),
            ("edit_metadata", "Edit the metadata of any visible asset"),
            ("see_unapproved", "See drafts and revisions in review"),
            ("review", "Approve or request changes on revisions"),
            ("manage_vocabulary", "Keep the vocabulary and the metadata schema"),
            ("suggest_terms", "Propose new vocabulary terms"),
            ("share", "Create share links and lightboxes"),
            ("use_lightboxes", "Keep own lightboxes"),
            ("archive", "Archive and restore assets"),
            ("view_analytics", "See analytics and reports"),
            ("administer", "Purge, manage users and settings"),
        ]

    def __str__(self) -> str:
        return "Role capabilities"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; the secret is shown once.

    The secret is 256 random bits, so an unsalted fast hash is enough (the
    same reasoning as GitHub's tokens): nobody can brute-force the preimage.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, help_text="The first characters of the token, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """One line of the append-only audit trail: who did what to which object.

    It lives in accounts, the lowest app, because every app's services write it
    and apps import downward only. Rows are never updated or deleted by the app.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=64, db_index=True, help_text="Namespaced, e.g. assets.version.created")
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.verb} {self.target_repr}"
