"""GET /api/v1/analytics/: the report's panels as JSON, for those who may read analytics."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.forms import PERIOD_CHOICES, ReportQueryForm
from analytics.selectors import PANELS, report
from analytics.selectors.query import require_analytics
from dam.http import AuthedRequest

PANELS_PARAM = "panels"


def _panel_names(raw: list[str]) -> list[str] | None:
    """The panels asked for (comma-separated or repeated), None for all; unknown names are a 400."""
    names = [name.strip() for value in raw for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in PANELS]
    if unknown:
        raise serializers.ValidationError({PANELS_PARAM: [
            f"Unknown panel: {', '.join(unknown)}. Panels: {', '.join(PANELS)}."]})
    return names or None


class AnalyticsReport(APIView):
    @extend_schema(
        summary="Analytics: downloads, searches, approvals, library health and vocabulary use",
        parameters=[
            OpenApiParameter("period", str, enum=[value for value, _ in PERIOD_CHOICES],
                             description="The last 7, 30, 90 or 365 days (default 30d), or custom with from and to."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a custom period."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a custom period (at most 5 years "
                                                                  "after from)."),
            OpenApiParameter("collection", int, description="Only assets in this collection and below."),
            OpenApiParameter("type", str, description="Only assets of this type (image, video, ...)."),
            OpenApiParameter("term", int, description="Only assets tagged with this term."),
            OpenApiParameter(PANELS_PARAM, str, description="Comma-separated panel names (default: all): "
                                                            + ", ".join(PANELS)),
        ],
        responses={
            200: inline_serializer("AnalyticsReport", {
                "period": serializers.DictField(help_text="The period as resolved: period, label, start, end, "
                                                          "collection, type, term."),
                **{name: serializers.ListField(child=serializers.DictField(), help_text=panel.title)
                   for name, panel in PANELS.items()},
            }),
            400: OpenApiResponse(description="A bad period, filter or panel: {detail, errors}."),
            403: OpenApiResponse(description="Roles without analytics (editors, contributors, viewers)."),
        },
    )
    def get(self, request: AuthedRequest) -> Response:
        """Each panel is a list of rows; rows about assets carry uid, title and count (docs/analytics.md)."""
        require_analytics(request.user)
        form = ReportQueryForm(data=request.query_params, user=request.user, known_params={PANELS_PARAM})
        if not form.is_valid():
            raise serializers.ValidationError({"non_field_errors" if field == "__all__" else field:
                                               [str(error) for error in errors]
                                               for field, errors in form.errors.items()})
        names = _panel_names(request.query_params.getlist(PANELS_PARAM))
        q = form.report_query()
        body: dict[str, Any] = {"period": q.as_json(), **report(request.user, q, names)}
        return Response(body)
