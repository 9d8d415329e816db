from django.urls import path

from archive.tier import api

urlpatterns = [
    path("assets/<uuid:uid>/tier/", api.AssetTier.as_view(), name="asset-tier"),
    path("assets/<uuid:uid>/tier/retry/", api.AssetTierRetry.as_view(), name="asset-tier-retry"),
]
