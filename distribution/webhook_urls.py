"""The admins' webhook screens, mounted at /settings/webhooks/."""
from django.urls import URLPattern, path

from distribution import webhook_views

app_name = "webhooks"
urlpatterns: list[URLPattern] = [
    path("", webhook_views.webhook_list, name="list"),
    path("new/", webhook_views.webhook_new, name="new"),
    path("<int:pk>/", webhook_views.DeliveryLogView.as_view(), name="detail"),
    path("<int:pk>/edit/", webhook_views.webhook_edit, name="edit"),
    path("<int:pk>/delete/", webhook_views.webhook_delete, name="delete"),
    path("<int:pk>/ping/", webhook_views.webhook_ping, name="ping"),
    path("<int:pk>/deliveries/<int:did>/redeliver/", webhook_views.delivery_redeliver, name="redeliver"),
]
