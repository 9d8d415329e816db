from django.urls import path, re_path

from analytics import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.AuditLogView.as_view(), name="log"),
    re_path(r"^export\.(?P<fmt>csv|jsonl)$", audit_views.audit_export, name="export"),
]
