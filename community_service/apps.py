from django.apps import AppConfig


class CommunityServiceConfig(AppConfig):
    name = "community_service"
    verbose_name = "Platform"

    def ready(self) -> None:
        from community_service.outbox import signals  # noqa: F401  (connects the on-commit publish hook)
