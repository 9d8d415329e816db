from django.urls import path

from assets import views, vocab_views
from assets.search import views as search_views

app_name = "assets"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="list"),
    path("upload/", views.asset_upload, name="upload"),
    # Under upload/ so the sidebar's Upload section is the active one on the batch reports.
    path("upload/batches/", views.batch_list, name="batches"),
    path("upload/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
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
    path("bulk/", vocab_views.bulk_edit, name="bulk_edit"),
    path("schema/", vocab_views.schema_list, name="schema"),
    path("schema/new/", vocab_views.schema_edit, name="schema_create"),
    path("schema/<int:pk>/", vocab_views.schema_edit, name="schema_edit"),
    path("schema/<int:pk>/delete/", vocab_views.schema_delete, name="schema_delete"),
    path("metadata.csv", vocab_views.metadata_export, name="metadata_export"),
    path("metadata/import/", vocab_views.metadata_import, name="metadata_import"),
    path("naming/", vocab_views.naming_save, name="naming_save"),
    path("naming/<int:pk>/delete/", vocab_views.naming_delete, name="naming_delete"),
    path("proposals/", vocab_views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/accept/", vocab_views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/map/", vocab_views.proposal_map, name="proposal_map"),
    path("proposals/<int:pk>/reject/", vocab_views.proposal_reject, name="proposal_reject"),
    path("<uuid:uid>/propose-term/", vocab_views.propose_term, name="propose_term"),
    path("<uuid:uid>/", views.asset_detail, name="detail"),
    path("<uuid:uid>/edit/", views.asset_edit, name="edit"),
    path("<uuid:uid>/versions/new/", views.version_upload, name="version_upload"),
    path("<uuid:uid>/download/", views.asset_download, name="download"),
    path("<uuid:uid>/v<int:number>/<str:preset>.jpg", views.rendition_image, name="rendition"),
]
