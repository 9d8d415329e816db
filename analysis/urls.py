"""Content analysis's screens: the queue under /analysis/, the asset decisions and player stream under
/analysis/assets/<uid>/, and the settings page (settings_urlpatterns, mounted at /settings/analysis/)."""
from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("suggestions/", views.queue, name="queue"),
    path("suggestions/terms/<int:term_id>/", views.term_queue, name="term"),
    path("assets/<uuid:uid>/analyse/", views.analyse, name="analyse"),
    path("assets/<uuid:uid>/media/", views.media, name="media"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/accept/", views.suggestion_accept, name="accept"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/reject/", views.suggestion_reject, name="reject"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/accept-all/", views.suggestion_accept_all, name="accept_all"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/map/", views.suggestion_map, name="map"),
]

settings_urlpatterns = [
    path("", views.settings_page, name="page"),
]
