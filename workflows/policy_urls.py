"""The admins' approval-policy screens, mounted at /settings/approval-policies/."""
from django.urls import path

from workflows import policy_views

app_name = "approval_policies"
urlpatterns = [
    path("", policy_views.policy_list, name="list"),
    path("new/", policy_views.policy_edit, name="new"),
    path("<int:pk>/", policy_views.policy_edit, name="edit"),
]
