from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Reports over every stage: downloads, searches, approvals, library health, and the audit log.

    It sits at the top of the import order: it reads every app's events and models through
    their selectors, and no app imports it (the asset page loads its panel by a template tag).
    """

    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from analytics import audit_text
        from search.news import search_opened

        audit_text.register_all()
        search_opened.connect(_search_opened, dispatch_uid="analytics.rollups.search_opened")


def _search_opened(sender: object, event_id: int, **_: object) -> None:
    from analytics import rollups

    rollups.search_opened_late(event_id=event_id)
