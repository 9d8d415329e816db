"""Webhook subscriptions and their deliveries in the JSON API (/api/v1/webhooks/...)."""
from django.urls import URLPattern, path

from distribution import api_webhooks

urlpatterns: list[URLPattern] = [
    path("webhooks/", api_webhooks.WebhookListCreate.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/", api_webhooks.WebhookDetail.as_view(), name="webhook"),
    path("webhooks/<int:pk>/deliveries/", api_webhooks.DeliveryList.as_view(), name="webhook-deliveries"),
    path("webhooks/<int:pk>/deliveries/<int:did>/redeliver/", api_webhooks.DeliveryRedeliver.as_view(),
         name="webhook-redeliver"),
    path("webhooks/<int:pk>/ping/", api_webhooks.WebhookPing.as_view(), name="webhook-ping"),
]
