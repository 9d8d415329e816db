"""The asset list (search results), advanced search and saved searches, mounted under /assets/."""
from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="list"),
    path("search/", views.advanced_search, name="advanced"),
    path("saved/", views.saved_search_list, name="saved_searches"),
    path("saved/new/", views.saved_search_create, name="saved_search_create"),
    path("saved/<int:pk>/", views.saved_search_open, name="saved_search_open"),
    path("saved/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("search/result/<int:event>/<uuid:uid>/", views.search_result, name="result"),
    path("metadata.csv", views.metadata_export, name="metadata_export"),
]
