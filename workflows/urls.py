from django.urls import path  # noqa: F401 - the review screens are added here

app_name = "workflows"
urlpatterns: list = []
