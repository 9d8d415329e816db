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

        audit_text.register_all()
