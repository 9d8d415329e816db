from django.urls import path

from assets import bulk_views, views

app_name = "assets"
urlpatterns = [
    path("collections/", views.collection_list, name="collections"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("collections/<int:pk>/", views.collection_detail, name="collection_detail"),
    path("collections/<int:pk>/new/", views.collection_create, name="collection_create_child"),
    path("collections/<int:pk>/grant/", views.collection_grant, name="collection_grant"),
    path("collections/<int:pk>/revoke/", views.collection_revoke, name="collection_revoke"),
    path("collections/<int:pk>/delivery/", views.collection_delivery, name="collection_delivery"),
    path("bulk/", bulk_views.bulk_edit, name="bulk_edit"),
    path("metadata/import/", bulk_views.metadata_import, name="metadata_import"),
    path("<uuid:uid>/propose-term/", views.propose_term, name="propose_term"),
    path("<uuid:uid>/", views.asset_detail, name="detail"),
    path("<uuid:uid>/focal-point/", views.focal_point, name="focal_point"),
    path("<uuid:uid>/edit/", views.asset_edit, name="edit"),
    path("<uuid:uid>/download/", views.asset_download, name="download"),
    path("<uuid:uid>/v<int:number>/renditions/retry/", views.renditions_retry, name="renditions_retry"),
    path("<uuid:uid>/v<int:number>/<str:preset>.jpg", views.rendition_image, name="rendition"),
]
