"""Lightboxes in the JSON API (/api/v1/lightboxes/...), included in dam.urls' api_v1."""
from django.urls import path

from distribution import api_lightboxes

urlpatterns = [
    path("lightboxes/", api_lightboxes.LightboxListCreate.as_view(), name="lightboxes"),
    path("lightboxes/<int:pk>/", api_lightboxes.LightboxDetail.as_view(), name="lightbox"),
    path("lightboxes/<int:pk>/assets/", api_lightboxes.LightboxAssets.as_view(), name="lightbox-assets"),
    path("lightboxes/<int:pk>/assets/<uuid:uid>/", api_lightboxes.LightboxMember.as_view(), name="lightbox-asset"),
]
