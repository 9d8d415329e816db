from django.urls import path

from assets import views
from assets.search import views as search_views

app_name = "assets"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="list"),
    path("upload/", views.asset_upload, name="upload"),
    path("search/", search_views.advanced_search, name="search"),
    path("saved/", search_views.saved_search_list, name="saved_searches"),
    path("saved/new/", search_views.saved_search_create, name="saved_search_create"),
    path("saved/<int:pk>/", search_views.saved_search_open, name="saved_search_open"),
    path("saved/<int:pk>/delete/", search_views.saved_search_delete, name="saved_search_delete"),
    path("collections/", views.collection_list, name="collections"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("collections/<int:pk>/", views.collection_detail, name="collection_detail"),
    path("collections/<int:pk>/new/", views.collection_create, name="collection_create_child"),
    path("collections/<int:pk>/grant/", views.collection_grant, name="collection_grant"),
    path("collections/<int:pk>/revoke/", views.collection_revoke, name="collection_revoke"),
    path("<uuid:uid>/", views.asset_detail, name="detail"),
    path("<uuid:uid>/edit/", views.asset_edit, name="edit"),
    path("<uuid:uid>/versions/new/", views.version_upload, name="version_upload"),
    path("<uuid:uid>/download/", views.asset_download, name="download"),
    path("<uuid:uid>/v<int:number>/<str:preset>.jpg", views.rendition_image, name="rendition"),
]
