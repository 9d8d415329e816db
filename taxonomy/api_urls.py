"""Vocabulary endpoints under /api/v1/."""
from django.urls import path

from taxonomy import api, proposals_api

urlpatterns = [
    path("vocabularies/", api.VocabularyList.as_view(), name="vocabularies"),
    path("vocabularies/import/", api.VocabularyImport.as_view(), name="vocabulary-import"),
    path("vocabularies/imports/<int:pk>/", api.VocabularyImportJob.as_view(), name="vocabulary-import-job"),
    path("vocabularies/<int:pk>/", api.VocabularyDetail.as_view(), name="vocabulary"),
    path("vocabularies/<int:pk>/skos/", api.VocabularyExport.as_view(), name="vocabulary-skos"),
    path("terms/", api.TermList.as_view(), name="terms"),
    path("terms/<int:pk>/", api.TermDetail.as_view(), name="term"),
    path("terms/<int:pk>/merge/", api.TermMerge.as_view(), name="term-merge"),
    path("terms/<int:pk>/deprecate/", api.TermDeprecate.as_view(), name="term-deprecate"),
    path("term-proposals/", proposals_api.ProposalList.as_view(), name="term-proposals"),
    path("term-proposals/<int:pk>/", proposals_api.ProposalDetail.as_view(), name="term-proposal"),
    path("term-proposals/<int:pk>/accept/", proposals_api.ProposalAccept.as_view(), name="term-proposal-accept"),
    path("term-proposals/<int:pk>/map/", proposals_api.ProposalMap.as_view(), name="term-proposal-map"),
    path("term-proposals/<int:pk>/reject/", proposals_api.ProposalReject.as_view(), name="term-proposal-reject"),
]
