from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """Offline content analysis: what is in a picture, the text in it, faces, barcodes and what is said,
    mapped onto the controlled vocabulary as suggested terms.

    It sits above ingest and search and below workflows in the import order: it reads versions (assets),
    suggests terms (taxonomy) and feeds the search index through the version's content text, and it
    hears of new versions through `assets.signals.version_created`. Every model comes from an optional
    package (requirements-ai.txt); without them each analyser says why it is off and nothing else changes.
    """

    name = "analysis"
    verbose_name = "Content analysis"
