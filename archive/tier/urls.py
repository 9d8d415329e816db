from django.urls import path

from archive.tier import views

# Included by archive/urls.py: the names are in the "archive" namespace.
urlpatterns = [
    path("<uuid:uid>/tier/retry/", views.tier_retry, name="tier_retry"),
]
