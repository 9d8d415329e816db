"""JSON API for vocabularies and terms. Views parse, call one service or selector, and render."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as authority
from dam.api import Pagination, PayloadTooLarge
from dam.http import AuthedRequest
from taxonomy import import_jobs, selectors, services, skos, vocabulary_csv
from taxonomy.models import Term, TermLabel, Vocabulary
from taxonomy.models import VocabularyImport as ImportJob

CONTENT_TYPES = {name: content_type for name, (_, content_type, _) in skos.EXPORTS.items()} | {
    "csv": "text/csv; charset=utf-8"}
EXTENSIONS = {name: extension for name, (_, _, extension) in skos.EXPORTS.items()} | {"csv": "csv"}


class VocabularySerializer(serializers.ModelSerializer):
    term_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Vocabulary
        fields = ["id", "uri", "title", "description", "language", "auto_tag_threshold", "term_count", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "term_count", "created_at", "updated_at"]


class LabelSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TermLabel.Kind.choices)
    language = serializers.CharField(max_length=20, allow_blank=True, default="")
    text = serializers.CharField(max_length=300)


class TermSerializer(serializers.ModelSerializer):
    vocabulary: serializers.PrimaryKeyRelatedField[Vocabulary] = serializers.PrimaryKeyRelatedField(read_only=True)
    labels = LabelSerializer(many=True, read_only=True)
    broader: serializers.SlugRelatedField[Term] = serializers.SlugRelatedField(slug_field="uri", many=True,
                                                                                read_only=True)
    related: serializers.SlugRelatedField[Term] = serializers.SlugRelatedField(slug_field="uri", many=True,
                                                                                read_only=True)
    replaced_by: serializers.SlugRelatedField[Term] = serializers.SlugRelatedField(slug_field="uri", read_only=True)
    path = serializers.SerializerMethodField()
    matched = serializers.SerializerMethodField()

    class Meta:
        model = Term
        fields = ["id", "uri", "label", "vocabulary", "status", "replaced_by", "notation", "scope_note",
                  "definition", "labels", "broader", "related", "external_links", "path", "matched"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_path(self, term: Term) -> list[str]:
        paths = self.context.get("paths") or selectors.paths_for([term])
        return paths.get(term.pk, [term.label])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_matched(self, term: Term) -> str | None:
        return self.context.get("matched", {}).get(term.pk)


class TermWriteSerializer(serializers.Serializer):
    vocabulary = serializers.PrimaryKeyRelatedField(queryset=Vocabulary.objects.all(), required=False)
    uri = serializers.URLField(max_length=500, required=False, allow_blank=True)
    pref_label = serializers.CharField(max_length=300, required=False)
    language = serializers.CharField(max_length=20, required=False, allow_blank=True)
    alt_labels = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    hidden_labels = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    labels = LabelSerializer(many=True, required=False, help_text="All labels at once (replaces pref/alt/hidden).")
    broader = serializers.ListField(child=serializers.CharField(), required=False, help_text="Term URIs or ids.")
    related = serializers.ListField(child=serializers.CharField(), required=False, help_text="Term URIs or ids.")
    notation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    scope_note = serializers.CharField(required=False, allow_blank=True)
    definition = serializers.CharField(required=False, allow_blank=True)


def _terms(refs: list[str], field: str) -> list[Term]:
    found = []
    for ref in refs:
        term = selectors.resolve_term(ref)
        if term is None:
            raise serializers.ValidationError({field: [f"No term {ref!r}."]})
        found.append(term)
    return found


def _labels(data: dict[str, Any], vocabulary: Vocabulary, current: Term | None = None) -> list[tuple[str, str, str]]:
    if "labels" in data:
        return [(lb["kind"], lb.get("language", ""), lb["text"]) for lb in data["labels"]]
    language = data.get("language", vocabulary.language)
    old = [(lb.kind, lb.language, lb.text) for lb in current.labels.all()] if current else []
    labels = [lb for lb in old if not (
        (lb[0] == TermLabel.Kind.PREFERRED and "pref_label" in data and lb[1] == language)
        or (lb[0] == TermLabel.Kind.ALTERNATIVE and "alt_labels" in data and lb[1] == language)
        or (lb[0] == TermLabel.Kind.HIDDEN and "hidden_labels" in data and lb[1] == language))]
    if "pref_label" in data:
        labels.append((TermLabel.Kind.PREFERRED, language, data["pref_label"]))
    labels += [(TermLabel.Kind.ALTERNATIVE, language, t) for t in data.get("alt_labels", [])]
    labels += [(TermLabel.Kind.HIDDEN, language, t) for t in data.get("hidden_labels", [])]
    return labels


class VocabularyList(APIView):
    @extend_schema(responses=VocabularySerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        vocabularies = selectors.vocabularies_visible_to(request.user)
        return Response(VocabularySerializer(vocabularies, many=True).data)

    @extend_schema(request=VocabularySerializer, responses={201: VocabularySerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = VocabularySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        vocabulary = services.vocabulary_create(actor=request.user, **payload.validated_data)
        return Response(VocabularySerializer(vocabulary).data, status=status.HTTP_201_CREATED)


class VocabularyDetail(APIView):
    @extend_schema(responses=VocabularySerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        vocabulary = authority.access(request.user, selectors.vocabularies_visible_to(request.user), pk=pk)
        return Response(VocabularySerializer(vocabulary).data)

    @extend_schema(request=VocabularySerializer, responses=VocabularySerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        vocabulary = authority.access(request.user, Vocabulary.objects.all(), "edit", pk=pk)
        payload = VocabularySerializer(vocabulary, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = {k: v for k, v in payload.validated_data.items() if k in services.VOCABULARY_EDITABLE}
        if "uri" in payload.validated_data and payload.validated_data["uri"] != vocabulary.uri:
            raise serializers.ValidationError({"uri": ["A vocabulary's URI cannot change; import it as a new one."]})
        vocabulary = services.vocabulary_update(vocabulary=vocabulary, actor=request.user, **fields)
        return Response(VocabularySerializer(selectors.vocabularies_visible_to(request.user).get(pk=pk)).data)


class VocabularyExport(APIView):
    def perform_content_negotiation(self, request: Any, force: bool = False) -> Any:
        # ?format= names the RDF serialisation here, not a DRF renderer; don't let DRF 404 on it.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=sorted(CONTENT_TYPES))],
                   responses={(200, "text/turtle"): OpenApiTypes.STR})
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        vocabulary = authority.access(request.user, Vocabulary.objects.all(), "export", pk=pk)
        fmt = request.query_params.get("format", "turtle")
        if fmt not in CONTENT_TYPES:
            raise serializers.ValidationError({"format": ["Choose turtle, xml, nt, jsonld or csv."]})
        body = vocabulary_csv.vocabulary_csv(vocabulary) if fmt == "csv" else skos.serialize(vocabulary, fmt)
        return HttpResponse(body, content_type=CONTENT_TYPES[fmt])


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Turtle, RDF/XML, N-Triples, JSON-LD (gzip-compressed or not), or CSV.")
    format = serializers.ChoiceField(choices=sorted(skos.FORMATS) + ["csv"], required=False)
    external = serializers.ChoiceField(choices=["keep", "drop"], default="keep")
    dry_run = serializers.BooleanField(default=False, help_text="Report what would change; change nothing.")
    remove_missing = serializers.BooleanField(
        default=False, help_text="The file is a whole release: delete the terms it no longer has (deprecate those "
                                 "that assets use).")
    scheme_uri = serializers.URLField(required=False, help_text="CSV, or RDF without a skos:ConceptScheme: the "
                                                                "vocabulary's URI.")
    title = serializers.CharField(required=False, help_text="With scheme_uri: the vocabulary's title.")
    language = serializers.CharField(required=False, default="en")


class VocabularyImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: AuthedRequest) -> Response:
        authority.require(request.user, "import", Vocabulary)
        payload = ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        upload = data["file"]
        csv_scheme = (data["scheme_uri"], data.get("title") or data["scheme_uri"], data["language"]) if (
            data.get("scheme_uri")) else None
        if upload.size > skos.max_bytes():
            raise PayloadTooLarge(str(skos.too_large(upload.size).problems[0]))
        if upload.size > import_jobs.API_AT_ONCE_BYTES:
            # Like a big archive in ingest: answered with the job, which GET .../imports/<id>/ follows.
            job = import_jobs.vocabulary_import_request(
                actor=request.user, fileobj=upload, filename=upload.name, size=upload.size, fmt=data.get("format"),
                external=data["external"], csv_scheme=csv_scheme, dry_run=data["dry_run"],
                remove_missing=data["remove_missing"])
            return Response(ImportJobSerializer(job, context={"request": request}).data,
                            status=status.HTTP_202_ACCEPTED)
        try:
            result = services.vocabulary_import(data=upload.read(), filename=upload.name, actor=request.user,
                                                fmt=data.get("format"), external=data["external"],
                                                csv_scheme=csv_scheme, dry_run=data["dry_run"],
                                                remove_missing=data["remove_missing"])
        except skos.SkosError as exc:
            raise serializers.ValidationError({"file": [str(p) for p in exc.problems]}) from exc
        return Response({
            "dry_run": result.dry_run,
            "vocabularies": [{"uri": v.uri, "title": v.title} for v in result.vocabularies] if result.dry_run else
            VocabularySerializer(result.vocabularies, many=True).data,
            "created": result.created, "updated": result.updated, "changed": len(result.changed_terms),
            "summary": result.summary(),
            "added": [t.uri for t in result.created_terms],
            "changes": {t.uri: result.changes[t.uri] for t in result.changed_terms},
            "deprecated": [t.uri for t in result.deprecated_terms], "removed": result.removed,
            "missing": [t.uri for t in result.missing], "resolved": result.resolved,
            "warnings": [str(w) for w in result.warnings]},
            status=status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "filename", "dry_run", "state", "stage", "done", "total", "percent", "report", "error",
                  "created_at", "finished_at", "url", "api_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(job.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:vocabulary-import-job", args=[job.pk]))


class VocabularyImportJob(APIView):
    @extend_schema(responses=ImportJobSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        """How far a vocabulary import sent as a background job got; at the end its report or its problems."""
        authority.require(request.user, "import", Vocabulary)
        job = get_object_or_404(ImportJob, pk=pk)
        return Response(ImportJobSerializer(job, context={"request": request}).data)


class TermList(APIView):
    @extend_schema(responses=TermSerializer(many=True), parameters=[
        OpenApiParameter("q", str, description="Any label, any language, case- and accent-insensitive"),
        OpenApiParameter("vocabulary", int), OpenApiParameter("include_deprecated", bool)])
    def get(self, request: AuthedRequest) -> Response:
        params = request.query_params
        vocabulary = None
        if params.get("vocabulary"):
            vocabulary = authority.access(request.user, Vocabulary.objects.all(), pk=params["vocabulary"])
        include_deprecated = params.get("include_deprecated") in ("1", "true")
        paginator = Pagination()
        context: dict[str, Any] = {}
        if params.get("q"):
            matches = selectors.search(request.user, params["q"], vocabulary=vocabulary,
                                       include_deprecated=include_deprecated, limit=50)
            results: Any = [m.term for m in matches]
            context = {"paths": {m.term.pk: m.path for m in matches}, "matched": {m.term.pk: m.matched
                                                                                   for m in matches}}
        else:
            results = selectors.terms_visible_to(request.user).prefetch_related("labels", "broader", "related")
            if vocabulary is not None:
                results = results.filter(vocabulary=vocabulary)
            if not include_deprecated:
                results = results.filter(status=Term.Status.ACTIVE)
        page = paginator.paginate_queryset(results, request, view=self)
        if "paths" not in context:
            context["paths"] = selectors.paths_for(page or [])
        return paginator.get_paginated_response(TermSerializer(page, many=True, context=context).data)

    @extend_schema(request=TermWriteSerializer, responses={201: TermSerializer})
    def post(self, request: AuthedRequest) -> Response:
        payload = TermWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "vocabulary" not in data or not ("pref_label" in data or "labels" in data):
            raise serializers.ValidationError({"vocabulary": ["Give the vocabulary and a pref_label."]})
        vocabulary = authority.access(request.user, Vocabulary.objects.all(), "create", pk=data["vocabulary"].pk)
        term = services.term_create(
            vocabulary=vocabulary, actor=request.user, uri=data.get("uri", ""), labels=_labels(data, vocabulary),
            broader=_terms(data.get("broader", []), "broader"), related=_terms(data.get("related", []), "related"),
            notation=data.get("notation", ""), scope_note=data.get("scope_note", ""),
            definition=data.get("definition", ""))
        return Response(TermSerializer(term).data, status=status.HTTP_201_CREATED)


class TermDetail(APIView):
    @extend_schema(responses=TermSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(TermSerializer(authority.access(request.user, Term.objects.all(), pk=pk)).data)

    @extend_schema(request=TermWriteSerializer, responses=TermSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        term = authority.access(request.user, Term.objects.select_related("vocabulary"), "edit", pk=pk)
        payload = TermWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        label_keys = {"labels", "pref_label", "alt_labels", "hidden_labels"}
        term = services.term_update(
            term=term, actor=request.user,
            labels=_labels(data, term.vocabulary, term) if label_keys & set(data) else None,
            broader=_terms(data["broader"], "broader") if "broader" in data else None,
            related=_terms(data["related"], "related") if "related" in data else None,
            **{k: data[k] for k in ("notation", "scope_note", "definition") if k in data})
        return Response(TermSerializer(term).data)


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(help_text="URI or id of the term that stays")


class TermMerge(APIView):
    @extend_schema(request=MergeSerializer, responses=TermSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        source = authority.access(request.user, Term.objects.all(), "merge", pk=pk)
        payload = MergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = _terms([payload.validated_data["into"]], "into")[0]
        return Response(TermSerializer(services.term_merge(source=source, target=target, actor=request.user)).data)


class DeprecateSerializer(serializers.Serializer):
    replacement = serializers.CharField(required=False, allow_blank=True, help_text="URI or id of the term to use")
    retag = serializers.BooleanField(default=True, help_text="Move assets to the replacement (else: left to review)")


class TermDeprecate(APIView):
    @extend_schema(request=DeprecateSerializer, responses=TermSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        term = authority.access(request.user, Term.objects.all(), "deprecate", pk=pk)
        payload = DeprecateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ref = payload.validated_data.get("replacement")
        replacement = _terms([ref], "replacement")[0] if ref else None
        term = services.term_deprecate(term=term, actor=request.user, replacement=replacement,
                                       retag=payload.validated_data["retag"])
        return Response(TermSerializer(term).data)
