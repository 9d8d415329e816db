"""Fixity runs in the JSON API (/api/v1/fixity-runs/...)."""
from django.urls import URLPattern, path

from archive.fixity import api

urlpatterns: list[URLPattern] = [
    path("fixity-runs/", api.FixityRunList.as_view(), name="fixity-runs"),
    path("fixity-runs/<int:pk>/", api.FixityRunDetail.as_view(), name="fixity-run"),
]
