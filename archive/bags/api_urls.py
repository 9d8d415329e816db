"""API routes for BagIt exports (in /api/v1/)."""
from django.urls import path

from archive.bags import api

urlpatterns = [
    path("bags/", api.BagListCreate.as_view(), name="bags"),
    path("bags/<int:pk>/", api.BagDetail.as_view(), name="bag"),
    path("bags/<int:pk>/download/", api.BagDownload.as_view(), name="bag-download"),
]
