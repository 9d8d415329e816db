from django.urls import path  # noqa: F401 - the vocabulary screens are added here

app_name = "taxonomy"
urlpatterns: list = []
