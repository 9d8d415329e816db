from django.urls import path

from archive.bags import views

app_name = "bags"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("asset/<uuid:uid>/", views.export_asset, name="export_asset"),
    path("collection/<int:pk>/", views.export_collection, name="export_collection"),
    path("<int:pk>/download/", views.export_download, name="download"),
    path("restore/", views.restore, name="restore"),
]
