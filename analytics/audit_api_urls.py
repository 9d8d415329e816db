from django.urls import path

from analytics import audit_api

urlpatterns = [
    path("audit/", audit_api.AuditLog.as_view(), name="audit-log"),
]
