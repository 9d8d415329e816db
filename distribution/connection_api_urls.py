"""API routes for connections, pushes and usages (in /api/v1/)."""
from django.urls import path

from distribution import api_connections

urlpatterns = [
    path("connections/", api_connections.ConnectionList.as_view(), name="connections"),
    path("connections/<int:pk>/", api_connections.ConnectionDetail.as_view(), name="connection"),
    path("connections/<int:pk>/test/", api_connections.ConnectionTest.as_view(), name="connection-test"),
    path("connections/<int:pk>/channels/", api_connections.ConnectionChannels.as_view(), name="connection-channels"),
    path("assets/<uuid:uid>/push/", api_connections.AssetPush.as_view(), name="asset-push"),
    path("usages/report/", api_connections.UsageReport.as_view(), name="usage-report"),
    path("assets/<uuid:uid>/usages/", api_connections.AssetUsages.as_view(), name="asset-usages"),
]
