from django.apps import AppConfig


class DamConfig(AppConfig):
    """The project itself as an app: its commands (seed_demo) and how its job cluster stops."""

    name = "dam"
    verbose_name = "DAM"

    def ready(self) -> None:
        from dam import jobs

        jobs.use_graceful_sentinel()
