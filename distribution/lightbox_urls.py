"""Lightbox screens, mounted at /lightboxes/."""
from django.urls import path

from distribution import lightbox_views as views

app_name = "lightboxes"
urlpatterns = [
    path("", views.LightboxListView.as_view(), name="list"),
    path("new/", views.lightbox_new, name="new"),
    path("add/", views.add_to_lightbox, name="add"),
    path("<int:pk>/", views.lightbox_detail, name="detail"),
    path("<int:pk>/edit/", views.lightbox_edit, name="edit"),
    path("<int:pk>/delete/", views.lightbox_delete, name="delete"),
    path("<int:pk>/items/<int:item>/note/", views.item_note, name="item_note"),
    path("<int:pk>/items/<int:item>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/shares/", views.share_add, name="share"),
    path("<int:pk>/shares/<int:share>/remove/", views.share_remove, name="unshare"),
]
