"""The admins' integration screens, mounted at /settings/integrations/."""
from django.urls import URLPattern, path

from distribution import integration_views

app_name = "integrations"
urlpatterns: list[URLPattern] = [
    path("", integration_views.integration_list, name="list"),
    path("new/", integration_views.integration_new, name="new"),
    path("<int:pk>/edit/", integration_views.integration_edit, name="edit"),
    path("<int:pk>/revoke/", integration_views.integration_revoke, name="revoke"),
]
