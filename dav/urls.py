from django.urls import re_path

from dav import views

app_name = "dav"

urlpatterns = [
    # Every path under /dav, with or without a trailing slash: WebDAV clients ask for both, and
    # APPEND_SLASH must never redirect a PROPFIND or a PUT. [\s\S]: a newline in a name is the view's to refuse.
    re_path(r"^dav(?P<rest>/[\s\S]*)?$", views.drive, name="drive"),
]
