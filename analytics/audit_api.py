"""GET /api/v1/audit/: the audit log for admins, each event with its sentence; CSV and JSON Lines too."""
from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from analytics import audit
from analytics.audit_filters import filtered_events
from analytics.audit_views import EXPORTS, export_response
from dam.api import Pagination
from dam.http import AuthedRequest


class AuditFieldSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # DRF takes declared fields out of the class
    value = serializers.CharField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="The user name; null for the system.")
    actor_name = serializers.CharField(help_text="The actor's display name, or “The system”.")
    action = serializers.CharField(help_text="The event's verb, e.g. workflows.version.approved.")
    action_label = serializers.CharField(help_text="The action in words, e.g. “Revision approved”.")
    object_type = serializers.CharField(allow_null=True, help_text="The model of the object, e.g. asset.")
    object_id = serializers.CharField(allow_null=True)
    object = serializers.CharField(help_text="The object's name when the event was recorded.")
    text = serializers.CharField(help_text="The event as a sentence.")
    fields = AuditFieldSerializer(  # type: ignore[assignment]
        many=True, help_text="The details, labelled, in reading order.")


class AuditPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AuditEventSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("actor", str, description="A user name: that person's actions."),
    OpenApiParameter("action", str, description="A verb, e.g. workflows.version.approved."),
    OpenApiParameter("object", str, description="An asset's uid (the asset, its versions and reviews) "
                                                "or part of an object's name."),
    OpenApiParameter("collection", int, description="A folder's id: it, the folders below and their assets."),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day (YYYY-MM-DD)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Up to and with this day (YYYY-MM-DD)."),
    OpenApiParameter("q", str, description="Words in the object's name or the event's details."),
    OpenApiParameter("format", str, enum=["json", "csv", "jsonl"],
                     description="csv or jsonl: every matching event, streamed, instead of a page."),
    OpenApiParameter("page", int), OpenApiParameter("page_size", int),
]


class AuditLog(APIView):
    def perform_content_negotiation(self, request: Any, force: bool = False) -> Any:
        # ?format= names the export here (csv, jsonl), not a DRF renderer; don't let DRF 404 on it.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=PARAMETERS, responses={200: AuditPageSerializer,
                                                      (200, "text/csv"): OpenApiTypes.STR,
                                                      (200, "application/jsonl"): OpenApiTypes.STR})
    def get(self, request: AuthedRequest) -> Any:
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", *EXPORTS):
            raise serializers.ValidationError({"format": ["Choose json, csv or jsonl."]})
        events, errors = filtered_events(request.user, request.query_params)
        if errors:
            raise serializers.ValidationError(errors)
        if fmt != "json":
            return export_response(events, fmt)
        paginator = Pagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response([audit.event_row(event) for event in page or []])

