"""The upload screens, mounted under /assets/ (their URLs from before)."""
from django.urls import path

from ingest import views

app_name = "ingest"
urlpatterns = [
    path("upload/", views.asset_upload, name="upload"),
    # Under upload/ so the sidebar's Upload section is the active one on the batch reports.
    path("upload/batches/", views.batch_list, name="batches"),
    path("upload/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<uuid:uid>/versions/new/", views.version_upload, name="version_upload"),
]
