from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import AuditEvent
        from assets.signals import asset_downloaded
        from distribution import audit_text, permissions, receivers
        from distribution import automation as automation_hooks
        from distribution.connections import usages
        from distribution.webhooks import events as webhook_events

        permissions.register()
        audit_text.register_all()
        automation_hooks.register()
        _sweep_watermarks()
        asset_downloaded.connect(receivers.record_download, dispatch_uid="distribution.record_download")
        # Webhooks hear of events through the audit trail, which every app's services write.
        post_save.connect(webhook_events.on_audit_event, sender=AuditEvent, dispatch_uid="distribution.webhooks")
        # Pushed, picked and shared copies turn outdated when their version stops being the one to show.
        post_save.connect(usages.on_audit_event, sender=AuditEvent, dispatch_uid="distribution.usages")


def _sweep_watermarks() -> None:
    """The file store's sweep (assets.sweep) removes watermark images no watermark points to."""
    from assets import sweep
    from distribution.models import Watermark

    def referenced(folder: str) -> set[str]:
        return set(Watermark.objects.filter(image__startswith=folder).values_list("image", flat=True))

    sweep.PLACES["watermarks/"] = sweep.Place(referenced, lambda: {"watermarks/"})
