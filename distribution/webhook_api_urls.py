"""Webhook subscriptions and their deliveries in the JSON API (/api/v1/webhooks/...)."""
from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
