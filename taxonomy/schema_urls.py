"""The librarians' schema, naming and proposal screens, mounted under /assets/ (their URLs from before)."""
from django.urls import path

from taxonomy import schema_views as views

app_name = "schema"
urlpatterns = [
    path("schema/", views.schema_list, name="fields"),
    path("schema/new/", views.schema_edit, name="field_create"),
    path("schema/<int:pk>/", views.schema_edit, name="field_edit"),
    path("schema/<int:pk>/delete/", views.schema_delete, name="field_delete"),
    path("naming/", views.naming_save, name="naming_save"),
    path("naming/<int:pk>/delete/", views.naming_delete, name="naming_delete"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/accept/", views.proposal_accept, name="proposals_accept"),
    path("proposals/map/", views.proposal_map, name="proposals_map"),
    path("proposals/reject/", views.proposal_reject, name="proposals_reject"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/map/", views.proposal_map, name="proposal_map"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
]
