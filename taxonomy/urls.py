from django.urls import path

from taxonomy import views

app_name = "taxonomy"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.vocabulary_import, name="import"),
    path("import/<int:pk>/", views.vocabulary_import_job, name="import_job"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("<int:pk>/", views.vocabulary_detail, name="vocabulary"),
    path("<int:pk>/edit/", views.vocabulary_edit, name="vocabulary_edit"),
    path("<int:pk>/export/", views.vocabulary_export, name="export"),
    path("<int:pk>/terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/", views.term_detail, name="term"),
    path("terms/<int:pk>/children/", views.term_children, name="term_children"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/move/", views.term_move, name="term_move"),
    path("terms/<int:pk>/merge/", views.term_merge, name="term_merge"),
    path("terms/<int:pk>/deprecate/", views.term_deprecate, name="term_deprecate"),
]
