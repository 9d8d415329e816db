"""Content analysis over the API: an asset's suggested terms (and deciding them), its analysis records, the
librarian's queue, and which analysers run here."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from accounts.permissions import Cap
from analysis import selectors
from analysis.models import AnalysisRun, TermSuggestion
from analysis.services import runs, suggestions
from assets.selectors import access_asset, version_shown_to
from dam.http import AuthedRequest
from taxonomy.selectors import resolve_term


class SuggestedTermSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uri = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    vocabulary = serializers.CharField(source="vocabulary.title")


class SuggestionSerializer(serializers.ModelSerializer):
    term = SuggestedTermSerializer(read_only=True)
    source = serializers.CharField(source="analyser", help_text="The analyser that found it: labels, ocr, faces...")  # type: ignore[assignment]
    raw_label = serializers.CharField(help_text="What the model called it, before mapping onto the vocabulary.")
    match = serializers.CharField(help_text="label (same words as a term label), meaning (similar meaning) or "
                                            "learnt (a librarian mapped this label).")
    status = serializers.CharField(help_text="pending, applied (an automatic term on the asset), accepted or rejected.")
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = TermSuggestion
        fields = ["id", "term", "confidence", "source", "raw_label", "match", "status", "decided_by", "decided_at",
                  "created_at"]


class RunSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = AnalysisRun
        fields = ["analyser", "version", "status", "reason", "model_name", "model_version", "model_sha256",
                  "attempts", "queued_at", "started_at", "finished_at", "duration_ms", "labels", "text", "data"]


class SuggestionList(APIView):
    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid)
        return Response(SuggestionSerializer(selectors.suggestions_for(request.user, asset), many=True).data)


def _suggestion(request: AuthedRequest, uid: str, pk: int) -> TermSuggestion:
    asset = access_asset(request.user, uid)
    return selectors.suggestion_for(request.user, asset, pk, "decide")


class SuggestionAccept(APIView):
    @extend_schema(request=inline_serializer("SuggestionAcceptRequest", {
        "all_assets": serializers.BooleanField(required=False, help_text="Accept this term on every asset it waits "
                                                                          "for, that you may decide on.")}),
        responses=inline_serializer("SuggestionAccepted", {"suggestion": SuggestionSerializer(),
                                                           "accepted": serializers.IntegerField()}))
    def post(self, request: AuthedRequest, uid: str, pk: int) -> Response:
        suggestion = _suggestion(request, uid, pk)
        if serializers.BooleanField().to_internal_value(request.data.get("all_assets", False)):
            accepted = suggestions.suggestion_accept_everywhere(suggestion=suggestion, actor=request.user)
        else:
            suggestions.suggestion_accept(suggestion=suggestion, actor=request.user)
            accepted = 1
        suggestion.refresh_from_db()
        return Response({"suggestion": SuggestionSerializer(suggestion).data, "accepted": accepted})


class SuggestionReject(APIView):
    @extend_schema(request=None, responses=SuggestionSerializer)
    def post(self, request: AuthedRequest, uid: str, pk: int) -> Response:
        suggestion = suggestions.suggestion_reject(suggestion=_suggestion(request, uid, pk), actor=request.user)
        return Response(SuggestionSerializer(suggestion).data)


class SuggestionMap(APIView):
    @extend_schema(request=inline_serializer("SuggestionMapRequest", {
        "term": serializers.CharField(help_text="The term meant instead: its id or URI.")}),
        responses=SuggestionSerializer)
    def post(self, request: AuthedRequest, uid: str, pk: int) -> Response:
        suggestion = _suggestion(request, uid, pk)
        ref = request.data.get("term")
        term = resolve_term(ref) if ref not in (None, "") else None
        if term is None:
            raise ValidationError({"term": ["Choose the term this label means (its id or URI)."]})
        suggestions.suggestion_map(suggestion=suggestion, term=term, actor=request.user)
        suggestion.refresh_from_db()
        return Response(SuggestionSerializer(suggestion).data)


class AssetAnalysis(APIView):
    @extend_schema(responses=RunSerializer(many=True))
    def get(self, request: AuthedRequest, uid: str) -> Response:
        asset = access_asset(request.user, uid)
        return Response(RunSerializer(selectors.runs_for(request.user, asset), many=True).data)

    @extend_schema(request=None, responses={202: RunSerializer(many=True)})
    def post(self, request: AuthedRequest, uid: str) -> Response:
        """Analyse the version again (after a failure, or a new model): whoever may edit the asset."""
        asset = access_asset(request.user, uid, "edit")
        version = version_shown_to(request.user, asset)
        if version is None:
            raise ValidationError("The asset has no version to analyse.")
        queued = runs.analysis_request(version=version, actor=request.user)
        return Response(RunSerializer(queued, many=True).data, status=status.HTTP_202_ACCEPTED)


class SuggestionQueue(APIView):
    @extend_schema(responses=inline_serializer("SuggestionQueueRow", {
        "term": serializers.IntegerField(), "label": serializers.CharField(), "vocabulary": serializers.CharField(),
        "assets": serializers.IntegerField(), "best": serializers.FloatField()}, many=True))
    def get(self, request: AuthedRequest) -> Response:
        """Suggested terms waiting, one row per term: how many assets and the best confidence."""
        wanted = request.query_params.get("status", TermSuggestion.Status.PENDING)
        if wanted not in TermSuggestion.Status.values:
            raise ValidationError({"status": [f"Choose one of {', '.join(TermSuggestion.Status.values)}."]})
        vocabulary = request.query_params.get("vocabulary", "")
        if vocabulary and not vocabulary.isdigit():
            raise ValidationError({"vocabulary": ["A vocabulary id."]})
        rows = selectors.queue(request.user, status=wanted, vocabulary_id=int(vocabulary) if vocabulary else None,
                               analyser=request.query_params.get("source", ""))[:500]
        return Response([{"term": r["term_id"], "label": r["term__label"], "vocabulary": r["term__vocabulary__title"],
                          "assets": r["assets"], "best": r["best"]} for r in rows])


class Analysers(APIView):
    @extend_schema(responses=inline_serializer("Analyser", {
        "slug": serializers.CharField(), "title": serializers.CharField(), "on": serializers.BooleanField(),
        "status": serializers.CharField(), "kinds": serializers.ListField(child=serializers.CharField()),
        "model": serializers.CharField(), "licence": serializers.CharField(),
        "runs": serializers.DictField(child=serializers.IntegerField())}, many=True))
    def get(self, request: AuthedRequest) -> Response:
        """Which analysers run on this server, and why not (admins see the run counts too)."""
        admin = authority.can(request.user, Cap.ADMINISTER)
        out: list[dict[str, Any]] = []
        for a in selectors.analysers_overview():
            state = a.state
            out.append({"slug": a.slug, "title": a.title, "on": a.on, "status": a.status_text, "kinds": list(a.kinds),
                        "model": f"{state.model_name} {state.model_version}".strip() if state else "",
                        "licence": state.licence if state else "", "runs": a.counts if admin else {}})
        return Response(out)
