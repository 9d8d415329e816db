"""The admins' preset and watermark screens, mounted at /settings/presets/."""
from django.urls import path

from distribution import preset_views

app_name = "presets"
urlpatterns = [
    path("", preset_views.preset_list, name="list"),
    path("new/", preset_views.preset_edit, name="new"),
    path("watermarks/new/", preset_views.watermark_edit, name="watermark_new"),
    path("watermarks/<int:pk>/", preset_views.watermark_edit, name="watermark_edit"),
    path("watermarks/<int:pk>/delete/", preset_views.watermark_delete, name="watermark_delete"),
    path("<slug:name>/", preset_views.preset_edit, name="edit"),
    path("<slug:name>/delete/", preset_views.preset_delete, name="delete"),
]
