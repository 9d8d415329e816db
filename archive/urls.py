from django.urls import include, path

from archive import views

app_name = "archive"
urlpatterns = [
    path("", views.archive_list, name="list"),
    path("<uuid:uid>/archive/", views.asset_archive, name="archive"),
    path("selected/", views.archive_selected, name="archive_selected"),
    path("<uuid:uid>/restore/", views.asset_restore, name="restore"),
    path("", include("archive.tier.urls")),
    path("bags/", include("archive.bags.urls")),
    path("", include("archive.retention.urls")),
]
