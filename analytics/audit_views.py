"""The audit log page (/audit/) and its exports, for admins."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django_filters.views import FilterView

from analytics import audit
from analytics.audit_filters import AuditFilter, filtered_events
from dam.http import AuthedHttpRequest

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv", audit.csv_lines),
    "jsonl": ("application/jsonl; charset=utf-8", "jsonl", audit.jsonl_lines),
}


class AuditLogView(LoginRequiredMixin, FilterView):
    """Every event as a sentence, newest first, with filters, 50 a page."""

    filterset_class = AuditFilter
    template_name = "analytics/audit.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return audit.audit_events(self.request.user)  # type: ignore[arg-type]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title="Audit log", querystring=query.urlencode())
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return super().render_to_response(context, status=400 if self.filterset.errors else 200, **kwargs)


@login_required
def audit_export(request: AuthedHttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered events as CSV or JSON Lines, streamed; bad filters answer 400 with the reasons."""
    events, errors = filtered_events(request.user, request.GET)
    if errors:
        return HttpResponse("\n".join(" ".join(messages) for messages in errors.values()),
                            status=400, content_type="text/plain; charset=utf-8")
    return export_response(events, fmt)


def export_response(events: Any, fmt: str) -> StreamingHttpResponse:
    content_type, extension, lines = EXPORTS[fmt]
    response = StreamingHttpResponse(lines(events), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{extension}"'
    return response
