"""The admins' webhook screens, mounted at /settings/webhooks/."""
from django.urls import URLPattern

app_name = "webhooks"
urlpatterns: list[URLPattern] = []
