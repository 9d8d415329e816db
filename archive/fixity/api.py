"""Fixity runs over the API (admins): GET /api/v1/fixity-runs/ and /{id}/; POST starts a run (202)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from archive.fixity import selectors, services, tasks
from archive.models import FixityProblem, FixityRun
from assets.models import Collection
from dam.api import Pagination
from dam.http import AuthedRequest


class FixityRunSerializer(serializers.ModelSerializer):
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    # A plain string in the schema: drf-spectacular names enums by field, and another model's "state"
    # choices would make the schema's enum names collide (a warning with --fail-on-warn).
    state = serializers.CharField(read_only=True, help_text="running, complete or incomplete")
    summary = serializers.SerializerMethodField()

    class Meta:
        model = FixityRun
        fields = ["id", "state", "trigger", "started_by", "started_at", "finished_at", "scope", "collection",
                  "sample", "checked", "bytes_read", "changed", "missing", "untracked", "error", "summary"]
        read_only_fields = fields

    def get_summary(self, run: FixityRun) -> str:
        return services.summary(run)


class FixityProblemSerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta:
        model = FixityProblem
        fields = ["id", "kind", "asset", "version", "key", "expected", "actual"]
        read_only_fields = fields

    def get_asset(self, problem: FixityProblem) -> str | None:
        return str(problem.version.asset.uid) if problem.version else None

    def get_version(self, problem: FixityProblem) -> int | None:
        return problem.version.number if problem.version else None


class FixityRunDetailSerializer(FixityRunSerializer):
    problems = serializers.SerializerMethodField()

    class Meta(FixityRunSerializer.Meta):
        fields = [*FixityRunSerializer.Meta.fields, "problems"]
        read_only_fields = fields

    def get_problems(self, run: FixityRun) -> list[dict[str, Any]]:
        # At most the first 1000; a run with more says so in its counts, and the page lists them all.
        return FixityProblemSerializer(selectors.run_problems(run)[:1000], many=True).data  # type: ignore[return-value]


class FixityRunStartSerializer(serializers.Serializer):
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), required=False,
                                                    allow_null=True, help_text="Only this folder and below.")
    sample = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000_000,
                                      help_text="Only the N least recently checked originals.")


class FixityRunList(APIView):
    @extend_schema(responses=FixityRunSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "view", FixityRun)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.runs_visible_to(request.user), request, view=self)
        return paginator.get_paginated_response(FixityRunSerializer(page, many=True).data)

    @extend_schema(request=FixityRunStartSerializer, responses={202: FixityRunSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "create", FixityRun)
        payload = FixityRunStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # A run already going answers 409 (StateConflict, dam.api's handler).
        run = services.fixity_run_start(actor=request.user, trigger=FixityRun.Trigger.PERSON,
                                        collection=payload.validated_data.get("collection"),
                                        sample=payload.validated_data.get("sample"))
        tasks.queue_continue(run.pk)
        return Response(FixityRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class FixityRunDetail(APIView):
    @extend_schema(responses=FixityRunDetailSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        run = selectors.access_run(request.user, pk)
        return Response(FixityRunDetailSerializer(run).data)
