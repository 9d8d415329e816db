"""API routes for retention (in /api/v1/)."""
from django.urls import path

from archive.retention import api

urlpatterns = [
    path("retention-rules/", api.RuleList.as_view(), name="retention-rules"),
    path("retention-rules/<int:pk>/", api.RuleDetail.as_view(), name="retention-rule"),
    path("retention-rules/<int:pk>/dry-run/", api.RuleDryRun.as_view(), name="retention-rule-dry-run"),
    path("retention-rules/<int:pk>/enable/", api.RuleEnable.as_view(), name="retention-rule-enable"),
    path("retention-rules/<int:pk>/disable/", api.RuleDisable.as_view(), name="retention-rule-disable"),
    path("retention-rules/<int:pk>/runs/", api.RuleRuns.as_view(), name="retention-rule-runs"),
    path("legal-holds/", api.HoldList.as_view(), name="legal-holds"),
    path("legal-holds/<int:pk>/lift/", api.HoldLift.as_view(), name="legal-hold-lift"),
    path("bin/", api.BinList.as_view(), name="bin"),
    path("bin/<int:pk>/restore/", api.BinRestore.as_view(), name="bin-restore"),
    path("bin/<int:pk>/purge/", api.BinPurge.as_view(), name="bin-purge"),
]
