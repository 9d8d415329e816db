"""The admins' connection screens, mounted at /settings/connections/; sending, at /push/."""
from django.urls import URLPattern, path

from distribution import connection_views

app_name = "connections"
urlpatterns: list[URLPattern] = [
    path("", connection_views.connection_list, name="list"),
    path("new/", connection_views.connection_new, name="new"),
    path("<int:pk>/edit/", connection_views.connection_edit, name="edit"),
    path("<int:pk>/delete/", connection_views.connection_delete, name="delete"),
    path("<int:pk>/test/", connection_views.connection_test, name="test"),
]
