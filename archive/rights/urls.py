from django.urls import path

from archive.rights import views

app_name = "rights"
urlpatterns = [
    path("expiring/", views.expiring_report, name="expiring"),
    path("<uuid:uid>/renew/", views.renew, name="renew"),
    path("<uuid:uid>/releases/", views.releases, name="releases"),
    path("releases/<int:pk>/download/", views.release_download, name="release_download"),
    path("releases/<int:pk>/remove/", views.release_remove, name="release_remove"),
    path("licences/", views.licences, name="licences"),
    path("licences/<int:pk>/", views.licences, name="licence_edit"),
    path("collections/<int:pk>/expiry/", views.collection_expiry, name="collection_expiry"),
]
