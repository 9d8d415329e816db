from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Distribution"

    def ready(self) -> None:
        from assets.signals import asset_downloaded
        from distribution import permissions, receivers

        permissions.register()
        asset_downloaded.connect(receivers.record_download, dispatch_uid="distribution.record_download")
