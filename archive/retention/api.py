"""Retention over the API: rules and their dry runs, legal holds, the bin. Admins only."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.permissions import Cap
from archive.models import BinEntry, LegalHold, RetentionRule, RetentionRun
from archive.retention import selectors, services
from assets.models import Asset, Collection
from dam.http import AuthedRequest
from taxonomy.models import Term


def _admin(request: AuthedRequest) -> None:
    authority.require(request.user, Cap.ADMINISTER)


@extend_schema_field(OpenApiTypes.STR)
class TermRefField(serializers.Field):
    """A term by id or URI."""

    def to_representation(self, value: Term) -> str:
        return value.uri

    def to_internal_value(self, data: Any) -> Term:
        lookup = {"pk": data} if isinstance(data, int) or str(data).isdigit() else {"uri": str(data)}
        term = Term.objects.filter(**lookup).first()
        if term is None:
            raise serializers.ValidationError(f"There is no term “{data}”: give a term's id or URI.")
        return term


class TermList(serializers.ListField):
    def to_representation(self, data: Any) -> list[str]:
        return [term.uri for term in data.all()]


class RetentionRuleSerializer(serializers.ModelSerializer):
    collection = serializers.PrimaryKeyRelatedField(queryset=Collection.objects.all(), allow_null=True,
                                                    required=False, help_text="A folder id; with its sub-folders.")
    terms = TermList(child=TermRefField(), required=False,
                                  help_text="Term URIs or ids: the asset carries at least one of them.")

    class Meta:
        model = RetentionRule
        fields = ["id", "name", "description", "action", "collection", "asset_type", "review_state",
                  "older_than_days", "not_downloaded_days", "archived_for_days", "terms", "enabled",
                  "confirmed_count", "enabled_at", "created_at", "updated_at", "last_run_at"]
        read_only_fields = ["enabled", "confirmed_count", "enabled_at", "created_at", "updated_at", "last_run_at"]
        # The service checks the name's uniqueness and says so in a sentence.
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}


class AssetRowSerializer(serializers.ModelSerializer):
    collection = serializers.CharField(source="collection.name")

    class Meta:
        model = Asset
        fields = ["uid", "title", "collection", "asset_type", "created_at", "archived_at"]


class RetentionRunSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = RetentionRun
        fields = ["id", "rule", "rule_name", "actor", "started_at", "finished_at", "acted", "skipped", "refused"]


def _rule(request: AuthedRequest, pk: int) -> RetentionRule:
    return authority.access(request.user, selectors.rules(), "manage", pk=pk)


class RuleList(ListAPIView):
    serializer_class = RetentionRuleSerializer

    def get_queryset(self) -> Any:
        return authority.visible(self.request.user, selectors.rules())

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        _admin(request)
        return super().list(request, *args, **kwargs)

    def post(self, request: AuthedRequest) -> Response:
        _admin(request)
        payload = RetentionRuleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        rule = services.rule_create(actor=request.user, terms=data.pop("terms", []), **data)
        return Response(RetentionRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetail(APIView):
    @extend_schema(responses=RetentionRuleSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(RetentionRuleSerializer(_rule(request, pk)).data)

    @extend_schema(request=RetentionRuleSerializer, responses=RetentionRuleSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        rule = _rule(request, pk)
        payload = RetentionRuleSerializer(rule, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        rule = services.rule_update(rule=rule, actor=request.user, terms=data.pop("terms", None), **data)
        return Response(RetentionRuleSerializer(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        services.rule_delete(rule=_rule(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleDryRun(APIView):
    @extend_schema(request=None, parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
                   responses=inline_serializer("RetentionDryRun", {
                       "count": serializers.IntegerField(), "action": serializers.CharField(),
                       "needs_confirmation": serializers.BooleanField(),
                       "skipped_count": serializers.IntegerField(), "page": serializers.IntegerField(),
                       "pages": serializers.IntegerField(), "results": AssetRowSerializer(many=True),
                       "skipped": serializers.ListField(child=serializers.DictField())}))
    def post(self, request: AuthedRequest, pk: int) -> Response:
        """What the rule would do now: the count, a page of the assets it acts on, and those it skips."""
        rule = _rule(request, pk)
        plan = selectors.rule_plan(rule)
        try:
            size = min(max(int(request.query_params.get("page_size", 50)), 1), 200)
        except ValueError:
            raise serializers.ValidationError({"page_size": ["Give a whole number from 1 to 200."]}) from None
        page = Paginator(plan.to_act, size).get_page(request.query_params.get("page"))
        skipped = [{"uid": str(a.uid), "title": a.title, "reason": selectors.SKIP_REASONS[selectors.skip_reason(a)]}
                   for a in plan.skipped[:500]]
        return Response({
            "count": plan.count, "action": rule.action,
            "needs_confirmation": plan.count > settings.DAM_RETENTION_CONFIRM_OVER,
            "skipped_count": plan.counts[selectors.HELD] + plan.counts[selectors.IN_REVIEW],
            "page": page.number, "pages": page.paginator.num_pages,
            "results": AssetRowSerializer(page.object_list, many=True).data, "skipped": skipped,
        })


class RuleEnable(APIView):
    @extend_schema(request=inline_serializer("RetentionEnable", {"confirm": serializers.IntegerField(required=False)}),
                   responses=RetentionRuleSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        """Enable; above DAM_RETENTION_CONFIRM_OVER, send `confirm` with the dry run's count (else 409)."""
        rule = _rule(request, pk)
        confirm = request.data.get("confirm")
        if confirm is not None and not str(confirm).isdigit():
            raise serializers.ValidationError({"confirm": ["Give the number of assets the dry run listed."]})
        try:
            rule = services.rule_enable(rule=rule, actor=request.user,
                                        confirm=int(confirm) if confirm is not None else None)
        except services.ConfirmationNeeded as exc:
            return Response({"detail": str(exc), "needs_confirmation": True, "count": exc.count},
                            status=status.HTTP_409_CONFLICT)
        return Response(RetentionRuleSerializer(rule).data)


class RuleDisable(APIView):
    @extend_schema(request=None, responses=RetentionRuleSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        return Response(RetentionRuleSerializer(services.rule_disable(rule=_rule(request, pk),
                                                                      actor=request.user)).data)


class RuleRuns(APIView):
    @extend_schema(responses=RetentionRunSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        rule = _rule(request, pk)
        return Response({"results": RetentionRunSerializer(selectors.recent_runs(rule, 100), many=True).data})


# --- legal holds ------------------------------------------------------------------------------------------

class LegalHoldSerializer(serializers.ModelSerializer):
    asset = serializers.SlugRelatedField(slug_field="uid", read_only=True)  # type: ignore[var-annotated]
    placed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    lifted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = LegalHold
        fields = ["id", "asset", "collection", "reason", "placed_by", "placed_at", "lifted_by", "lifted_at",
                  "lift_reason"]


class HoldRequest(serializers.Serializer):
    asset = serializers.UUIDField(required=False)
    collection = serializers.IntegerField(required=False)
    reason = serializers.CharField(max_length=500)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("asset" in attrs) == ("collection" in attrs):
            raise serializers.ValidationError("Give either an asset (uid) or a collection (id).")
        return attrs


class HoldList(APIView):
    @extend_schema(parameters=[OpenApiParameter("all", bool, description="Lifted holds too.")],
                   responses=LegalHoldSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        _admin(request)
        holds = LegalHold.objects.select_related("asset", "placed_by", "lifted_by")
        if request.query_params.get("all") not in ("1", "true"):
            holds = holds.filter(lifted_at__isnull=True)
        return Response({"results": LegalHoldSerializer(holds[:1000], many=True).data})

    @extend_schema(request=HoldRequest, responses=LegalHoldSerializer)
    def post(self, request: AuthedRequest) -> Response:
        _admin(request)
        payload = HoldRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        target: dict[str, Any] = {}
        if "asset" in data:
            # Binned assets too: a hold must be able to stop a purge that is waiting in the bin.
            target["asset"] = get_object_or_404(Asset, uid=data["asset"])
        else:
            target["collection"] = authority.access(request.user, Collection.objects.all(), pk=data["collection"])
        hold = services.hold_place(actor=request.user, reason=data["reason"], **target)
        return Response(LegalHoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class HoldLift(APIView):
    @extend_schema(request=inline_serializer("HoldLift", {"reason": serializers.CharField()}),
                   responses=LegalHoldSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        hold = authority.access(request.user, LegalHold.objects.all(), "lift", pk=pk)
        hold = services.hold_lift(hold=hold, actor=request.user, reason=str(request.data.get("reason", "")))
        return Response(LegalHoldSerializer(hold).data)


# --- the bin ----------------------------------------------------------------------------------------------

class BinEntrySerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    binned_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    rule = serializers.SlugRelatedField(slug_field="name", read_only=True)  # type: ignore[var-annotated]
    held = serializers.SerializerMethodField()

    class Meta:
        model = BinEntry
        fields = ["id", "asset", "reason", "rule", "binned_by", "binned_at", "purge_after", "held"]

    def get_asset(self, entry: BinEntry) -> dict[str, Any]:
        return AssetRowSerializer(entry.asset).data

    def get_held(self, entry: BinEntry) -> bool:
        return bool(getattr(entry, "held", False))


class BinList(ListAPIView):
    serializer_class = BinEntrySerializer

    def get_queryset(self) -> Any:
        return authority.visible(self.request.user, selectors.bin_entries())

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        _admin(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=inline_serializer("BinRequest", {"asset": serializers.UUIDField(),
                                                            "reason": serializers.CharField(required=False)}),
                   responses=BinEntrySerializer)
    def post(self, request: AuthedRequest) -> Response:
        """Move an asset to the bin by hand."""
        _admin(request)
        payload = serializers.UUIDField().run_validation(request.data.get("asset"))
        asset = authority.access(request.user, Asset.objects.all(), uid=payload)
        entry = services.asset_bin(asset=asset, actor=request.user, reason=str(request.data.get("reason", "")))
        return Response(BinEntrySerializer(selectors.bin_entries().get(pk=entry.pk)).data,
                        status=status.HTTP_201_CREATED)


def _entry(request: AuthedRequest, pk: int, action: str) -> BinEntry:
    return authority.access(request.user, BinEntry.objects.select_related("asset"), action, pk=pk)


class BinRestore(APIView):
    @extend_schema(request=None, responses=AssetRowSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        asset = services.bin_restore(entry=_entry(request, pk, "restore"), actor=request.user)
        return Response(AssetRowSerializer(asset).data)


class BinPurge(APIView):
    @extend_schema(request=None, responses=inline_serializer("Purged", {
        "uid": serializers.CharField(), "title": serializers.CharField(), "files": serializers.IntegerField()}))
    def post(self, request: AuthedRequest, pk: int) -> Response:
        """Purge for good now: every stored file of every revision, every rendition; the audit trail stays."""
        result = services.bin_purge(entry=_entry(request, pk, "purge"), actor=request.user)
        return Response({"uid": result.uid, "title": result.title, "files": result.files})
