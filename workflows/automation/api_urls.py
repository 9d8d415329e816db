"""Automation rule endpoints under /api/v1/."""
from django.urls import path

from workflows.automation import api

urlpatterns = [
    path("automation-rules/", api.RuleList.as_view(), name="automation-rules"),
    path("automation-rules/<int:pk>/", api.RuleDetail.as_view(), name="automation-rule"),
    path("automation-rules/<int:pk>/dry-run/", api.RuleDryRun.as_view(), name="automation-rule-dry-run"),
    path("automation-rules/<int:pk>/runs/", api.RuleRuns.as_view(), name="automation-rule-runs"),
]
