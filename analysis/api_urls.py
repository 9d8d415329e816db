from django.urls import path

from analysis import api

urlpatterns = [
    path("assets/<uuid:uid>/suggestions/", api.SuggestionList.as_view(), name="asset-suggestions"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/accept/", api.SuggestionAccept.as_view(), name="suggestion-accept"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/reject/", api.SuggestionReject.as_view(), name="suggestion-reject"),
    path("assets/<uuid:uid>/suggestions/<int:pk>/map/", api.SuggestionMap.as_view(), name="suggestion-map"),
    path("assets/<uuid:uid>/analysis/", api.AssetAnalysis.as_view(), name="asset-analysis"),
    path("suggestions/", api.SuggestionQueue.as_view(), name="suggestion-queue"),
    path("analysers/", api.Analysers.as_view(), name="analysers"),
]
