from django.urls import path

from analytics import api

urlpatterns = [
    path("analytics/", api.AnalyticsReport.as_view(), name="analytics-report"),
]
