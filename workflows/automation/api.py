"""Automation rules over the API: list and create, read, change, delete, dry-run on one asset, the runs."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from assets.models import Asset, Collection
from dam.http import AuthedRequest
from workflows.automation import engine, selectors, services
from workflows.automation.models import AutomationRule, AutomationRun


class AutomationRuleSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    scope = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), many=True, required=False,
                                               help_text="Folder ids the rule acts in (with their sub-folders); "
                                                         "required for collection managers.")
    trigger = serializers.CharField(help_text="A trigger key, e.g. version_approved.")
    trigger_params = serializers.JSONField(required=False, help_text='e.g. {"days": 30} for rights_expiring.')
    conditions = serializers.JSONField(required=False, help_text="See docs/automation.md.")
    actions = serializers.JSONField(help_text='Ordered: [{"type": "move", "params": {"collection": 5}}, ...]')

    class Meta:
        model = AutomationRule
        fields = ["id", "name", "owner", "enabled", "trigger", "trigger_params", "conditions", "actions", "scope",
                  "created_at", "updated_at"]
        read_only_fields = ["owner", "created_at", "updated_at"]


class AutomationRunSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="uid", read_only=True)  # type: ignore[var-annotated]
    asset_title = serializers.CharField(source="asset.title", read_only=True)

    class Meta:
        model = AutomationRun
        fields = ["id", "asset", "asset_title", "trigger", "event_key", "status", "actions_done", "error", "depth",
                  "created_at", "finished_at"]


def _rule(request: AuthedRequest, pk: int) -> AutomationRule:
    return authority.access(request.user, selectors.rules_visible_to(request.user), "manage", pk=pk)


def _may_write_rules(request: AuthedRequest) -> None:
    authority.require(request.user, "create", AutomationRule)


class RuleList(ListAPIView):
    serializer_class = AutomationRuleSerializer

    def get_queryset(self) -> Any:
        return selectors.rules_visible_to(self.request.user)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        _may_write_rules(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AutomationRuleSerializer, responses=AutomationRuleSerializer)
    def post(self, request: AuthedRequest) -> Response:
        _may_write_rules(request)
        payload = AutomationRuleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rule = services.rule_create(actor=request.user, **payload.validated_data)
        return Response(AutomationRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetail(APIView):
    @extend_schema(responses=AutomationRuleSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(AutomationRuleSerializer(_rule(request, pk)).data)

    @extend_schema(request=AutomationRuleSerializer, responses=AutomationRuleSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        rule = _rule(request, pk)
        payload = AutomationRuleSerializer(rule, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        rule = services.rule_update(rule=rule, actor=request.user, scope=data.pop("scope", None), **data)
        return Response(AutomationRuleSerializer(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        services.rule_delete(rule=_rule(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleDryRun(APIView):
    @extend_schema(request=inline_serializer("AutomationDryRunRequest", {"asset": serializers.UUIDField()}),
                   responses=inline_serializer("AutomationDryRun", {
                       "applies": serializers.BooleanField(), "reason": serializers.CharField(),
                       "actions": serializers.ListField(child=serializers.CharField()),
                       "error": serializers.CharField()}))
    def post(self, request: AuthedRequest, pk: int) -> Response:
        """What the rule would do to this asset now, as sentences; nothing is changed."""
        rule = _rule(request, pk)
        uid = serializers.UUIDField().run_validation(request.data.get("asset"))
        asset = authority.access(request.user, Asset.objects.all(), uid=uid)
        outcome = engine.dry_run(rule=rule, asset=asset)
        return Response({"applies": outcome.applies,
                         "reason": f"The rule does not apply: {outcome.reason}." if outcome.reason else "",
                         "actions": outcome.sentences, "error": outcome.error})


class RuleRuns(APIView):
    @extend_schema(responses=AutomationRunSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        rule = authority.access(request.user, selectors.rules_visible_to(request.user), pk=pk)
        return Response({"results": AutomationRunSerializer(selectors.runs_of(rule), many=True).data})
