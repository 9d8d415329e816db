"""The picker, mounted at /picker/ (docs/picker.md)."""
from django.urls import URLPattern, path

from distribution import picker

app_name = "picker"
urlpatterns: list[URLPattern] = [
    path("", picker.picker, name="index"),
    path("pick/", picker.pick_view, name="pick"),
    path("signed-in/", picker.signed_in, name="signed_in"),
]
