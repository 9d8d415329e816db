"""API routes for presets, watermarks, delivery URLs, integrations and download events (in /api/v1/)."""
from django.urls import path

from distribution import api_presets

urlpatterns = [
    path("assets/<uuid:uid>/delivery/", api_presets.AssetDelivery.as_view(), name="asset-delivery"),
    path("presets/", api_presets.PresetList.as_view(), name="presets"),
    path("presets/<slug:name>/", api_presets.PresetDetail.as_view(), name="preset"),
    path("watermarks/", api_presets.WatermarkList.as_view(), name="watermarks"),
    path("watermarks/<int:pk>/", api_presets.WatermarkDetail.as_view(), name="watermark"),
    path("integrations/", api_presets.IntegrationList.as_view(), name="integrations"),
    path("integrations/<int:pk>/", api_presets.IntegrationDetail.as_view(), name="integration"),
    path("lightboxes/<int:pk>/zip/", api_presets.LightboxZip.as_view(), name="lightbox-zip"),
    path("download-events/", api_presets.DownloadEventList.as_view(), name="download-events"),
]
