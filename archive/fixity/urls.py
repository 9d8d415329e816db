from django.urls import path

from archive.fixity import views

app_name = "fixity"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("run/", views.run_start, name="start"),
    path("<int:pk>/", views.run_detail, name="run"),
]
