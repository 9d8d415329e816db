"""The automation screens, mounted at /settings/automation/."""
from django.urls import path

from workflows.automation import views

app_name = "automation"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_new, name="new"),
    path("<int:pk>/", views.rule_detail, name="detail"),
    path("<int:pk>/edit/", views.rule_edit, name="edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="toggle"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
]
