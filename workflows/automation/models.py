"""Automation rules ("when this happens to an asset, if it matches, do these things") and their runs."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from assets.models import Asset, Collection


class AutomationRule(models.Model):
    """A trigger, conditions and an ordered list of actions, carried out as `owner` when enabled.

    `conditions` is a JSON object (see workflows.automation.conditions); `actions` an ordered JSON list of
    {"type": key, "params": {...}} (see workflows.automation.registry). Both are checked by
    workflows.automation.services before they are saved, so what is stored always reads.
    """

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="automation_rules")
    enabled = models.BooleanField(default=False)
    trigger = models.CharField(max_length=40)
    trigger_params = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list, blank=True)
    # A collection manager's rule acts only inside these folders (and their sub-folders); admins may leave it empty.
    scope = models.ManyToManyField(Collection, blank=True, related_name="+")
    # For a rule on a schedule: the time slots up to this moment are not run (set when it is switched on or its
    # schedule changes), so a rule switched on at 10:00 does not make up for 06:00 that day.
    schedule_after = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        app_label = "workflows"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("automation:detail", args=[self.pk])


class AutomationRun(models.Model):
    """One rule carried out (or tried, `dry_run`) on one asset for one event; the log of what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped with an error"
        STOPPED = "stopped", "Stopped to prevent a loop"

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="runs")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=40)
    event_key = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # What each action did (or would do), as sentences, in order.
    actions_done = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    dry_run = models.BooleanField(default=False)
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        app_label = "workflows"
        constraints = [models.UniqueConstraint(fields=["rule", "asset", "event_key"], condition=models.Q(dry_run=False),
                                               name="automationrun_once_per_event")]

    def __str__(self) -> str:
        return f"{self.rule} on {self.asset}"


class ScheduledPass(models.Model):
    """A scheduled rule's turn at one time slot: which assets it picked, and whether it stopped at the limit.

    One per (rule, slot): creating it is how a tick claims the slot, so no slot runs twice, however many
    ticks see it due. The runs on each asset are AutomationRuns keyed "schedule:<slot>".
    """

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="passes")
    slot = models.DateTimeField()
    # How many assets it queued a run for.
    assets = models.PositiveIntegerField(default=0)
    # The last asset queued when the pass stopped at the limit: the next pass goes on after it.
    resume_after = models.BigIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot", "-id"]
        app_label = "workflows"
        constraints = [models.UniqueConstraint(fields=["rule", "slot"], name="scheduledpass_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.rule} at {self.slot:%Y-%m-%d %H:%M}"


class AutomationCopy(models.Model):
    """A copy a rule made of an asset into a folder: found again, so the rule copies it there only once."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="copies")
    source = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    copy = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="+")
    source_version = models.PositiveIntegerField()
    run = models.ForeignKey(AutomationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "workflows"
        constraints = [models.UniqueConstraint(fields=["rule", "source", "collection"],
                                               name="automationcopy_once_per_folder")]

    def __str__(self) -> str:
        return f"{self.source} → {self.collection}"
