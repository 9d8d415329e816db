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

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from analysis import audit_text, permissions, tasks
        from analysis.analysers.registry import ANALYSERS
        from assets.signals import version_created
        from dam import jobs

        unknown = sorted(set(settings.DAM_ANALYSERS) - set(ANALYSERS) - {"none"})
        if unknown:
            raise ImproperlyConfigured(f"DAM_ANALYSERS names unknown analysers: {', '.join(unknown)}; "
                                       f"choose from {', '.join(ANALYSERS)} (or none).")
        permissions.register()
        audit_text.register_all()
        version_created.connect(_version_created, dispatch_uid="analysis.version_created")
        if tasks.worker_stopped not in jobs.worker_stopped_hooks:
            jobs.worker_stopped_hooks.append(tasks.worker_stopped)


def _version_created(sender: object, version_id: int, **_: object) -> None:
    from analysis.services.runs import analysis_queue

    analysis_queue(version_id=version_id)
