"""Term proposals under /api/v1/term-proposals/: integrations and content analysis propose terms, librarians decide.

Who may do what is the UI's: contributors and everyone who may suggest terms propose (for an asset
they may see, or for none) and list their own proposals; librarians list every proposal for assets
they may see and accept, map or reject them. Missing or not visible: 404.
"""
from __future__ import annotations

from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from dam.api import Conflict, Pagination
from dam.http import AuthedRequest
from taxonomy import proposals, selectors
from taxonomy.models import Term, TermProposal, Vocabulary


class ProposalSerializer(serializers.ModelSerializer):
    asset = serializers.SerializerMethodField()
    proposed_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    term: serializers.SlugRelatedField[Term] = serializers.SlugRelatedField(slug_field="uri", read_only=True)

    class Meta:
        model = TermProposal
        fields = ["id", "label", "language", "note", "origin", "status", "asset", "vocabulary", "proposed_by",
                  "created_at", "term", "resolved_by", "resolved_at", "resolution_note"]
        read_only_fields = fields

    def get_asset(self, proposal: TermProposal) -> str | None:
        return str(proposal.asset.uid) if proposal.asset is not None else None

    def get_proposed_by(self, proposal: TermProposal) -> str | None:
        return proposal.proposed_by.display_name if proposal.proposed_by else None

    def get_resolved_by(self, proposal: TermProposal) -> str | None:
        return proposal.resolved_by.display_name if proposal.resolved_by else None


class ProposeSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300)  # type: ignore[assignment]  # "label" is the API field name
    asset = serializers.UUIDField(required=False, allow_null=True, help_text="The asset's uid (optional)")
    vocabulary = serializers.PrimaryKeyRelatedField(queryset=Vocabulary.objects.all(), required=False,
                                                    allow_null=True)
    language = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptSerializer(serializers.Serializer):
    vocabulary = serializers.PrimaryKeyRelatedField(queryset=Vocabulary.objects.all(), required=False,
                                                    help_text="Default: the vocabulary the proposal names")
    broader = serializers.ListField(child=serializers.CharField(), required=False, help_text="Term URIs or ids.")
    label = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",  # type: ignore[assignment]
                                  help_text="The new term's label, when it should differ from the proposal's")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MapSerializer(serializers.Serializer):
    term = serializers.CharField(help_text="URI or id of the existing term that answers the proposal")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why, for the proposer")


def _term(ref: str, field: str) -> Term:
    term = selectors.resolve_term(ref)
    if term is None:
        raise serializers.ValidationError({field: [f"No term {ref!r}."]})
    return term


def _proposal(request: AuthedRequest, pk: int) -> TermProposal:
    return get_object_or_404(selectors.proposals_visible_to(request.user), pk=pk)


def _pending(request: AuthedRequest, pk: int) -> TermProposal:
    """The proposal to decide: 403 for those who may not decide, 409 once it is decided."""
    proposal = _proposal(request, pk)
    authority.require(request.user, "create", Vocabulary)
    if proposal.status != TermProposal.Status.PENDING:
        raise Conflict(f"This proposal was already {proposal.get_status_display().lower()}.")
    return proposal


class ProposalList(APIView):
    @extend_schema(responses=ProposalSerializer(many=True), parameters=[
        OpenApiParameter("status", str, enum=TermProposal.Status.values)])
    def get(self, request: AuthedRequest) -> Response:
        wanted = request.query_params.get("status")
        if wanted and wanted not in TermProposal.Status.values:
            raise serializers.ValidationError({"status": [f"Choose one of {', '.join(TermProposal.Status.values)}."]})
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.proposals_visible_to(request.user, wanted or None), request,
                                           view=self)
        return paginator.get_paginated_response(ProposalSerializer(page, many=True).data)

    @extend_schema(request=ProposeSerializer, responses={201: ProposalSerializer})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "propose", Vocabulary)
        payload = ProposeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        asset: Any = None
        if data.get("asset"):
            # The asset model belongs to the app above this one: reached through the proposal's relation.
            asset_model = cast(Any, TermProposal._meta.get_field("asset")).related_model
            asset = authority.access(request.user, asset_model.objects.all(), uid=data["asset"])
        proposal = proposals.proposal_create(asset=asset, label=data["label"], actor=request.user, note=data["note"],
                                             vocabulary=data.get("vocabulary"), language=data["language"])
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetail(APIView):
    @extend_schema(responses=ProposalSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(ProposalSerializer(_proposal(request, pk)).data)


class ProposalAccept(APIView):
    @extend_schema(request=AcceptSerializer, responses=ProposalSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        proposal = _pending(request, pk)
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        vocabulary = data.get("vocabulary") or proposal.vocabulary
        if vocabulary is None:
            raise serializers.ValidationError({"vocabulary": ["Say which vocabulary the new term goes into."]})
        proposals.proposal_accept(proposal=proposal, vocabulary=vocabulary, actor=request.user,
                                  broader=[_term(ref, "broader") for ref in data.get("broader", [])],
                                  label=data["label"], note=data["note"])
        return Response(ProposalSerializer(_proposal(request, pk)).data)


class ProposalMap(APIView):
    @extend_schema(request=MapSerializer, responses=ProposalSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        proposal = _pending(request, pk)
        payload = MapSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposals.proposal_map(proposal=proposal, term=_term(payload.validated_data["term"], "term"),
                               actor=request.user, note=payload.validated_data["note"])
        return Response(ProposalSerializer(_proposal(request, pk)).data)


class ProposalReject(APIView):
    @extend_schema(request=RejectSerializer, responses=ProposalSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        proposal = _pending(request, pk)
        payload = RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposals.proposal_reject(proposal=proposal, actor=request.user, note=payload.validated_data["note"])
        return Response(ProposalSerializer(_proposal(request, pk)).data)
