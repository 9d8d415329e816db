"""The weekly e-mail digest: a person's chosen report (panels and filters), sent to them once a week."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse

DIGEST_EVERY = dt.timedelta(days=7)


class DigestSubscription(models.Model):
    """One report e-mailed weekly to its owner.

    `query` holds the filter bar's parameters as the page's query string had them (`period=30d`,
    `collection=…`), not resolved dates: each digest re-reads them through the form, so "the last 30
    days" moves on with the weeks, and a filter that stopped working is said in the e-mail.
    `token` is the credential of the unsubscribe link in each e-mail (it works signed out).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="analytics_digests")
    panels = models.JSONField(default=list)
    query = models.JSONField(default=dict)
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_due_at = models.DateTimeField(db_index=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Weekly analytics digest for {self.owner}"

    def get_unsubscribe_url(self) -> str:
        return reverse("analytics:digest_unsubscribe", args=[self.token])
