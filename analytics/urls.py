from django.urls import path, re_path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.analytics_page, name="page"),
    re_path(r"^export/(?P<panel>[a-z0-9_]+)\.(?P<extension>csv|xlsx)$", views.export, name="export"),
    path("digests/", views.digest_subscribe, name="digest_subscribe"),
    path("digests/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
