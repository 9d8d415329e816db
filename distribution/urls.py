from django.urls import path

from distribution import views

app_name = "distribution"
urlpatterns = [
    path("", views.link_list, name="links"),
    path("new/", views.link_new, name="link_new"),
    path("<int:pk>/", views.link_detail, name="link_detail"),
    path("<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
]

# Public pages, mounted at /s/ (outside the app namespace so the URL stays short).
public_urlpatterns = [
    path("<str:token>/", views.share_page, name="share"),
    path("<str:token>/download/<uuid:uid>/", views.share_download, name="share_download"),
    path("<str:token>/zip/", views.share_zip, name="share_zip"),
    path("<str:token>/thumb/<uuid:uid>.jpg", views.share_thumb, name="share_thumb"),
    path("<str:token>/preview/<uuid:uid>.jpg", views.share_preview, name="share_preview"),
]
