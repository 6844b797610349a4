from django.apps import AppConfig


class CommunityServiceConfig(AppConfig):
    name = "community_service"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from community_service.search.query import LANGUAGES

        if settings.SEARCH_DEFAULT_LANGUAGE not in LANGUAGES:
            raise ImproperlyConfigured(
                f"SEARCH_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, "
                f"not {settings.SEARCH_DEFAULT_LANGUAGE!r}."
            )
        from community_service.notifications.consumer import notifications_subscribe
        from community_service.notifications.models import Delivery
        from community_service.notifications.registry import NoticeType, notice_type_register
        from community_service.observability import metrics, task_context  # noqa: F401  (Celery signal receivers)
        from community_service.outbox import signals  # noqa: F401  (connects the on-commit publish hook)
        from community_service.outbox.subscribers import subscriber_register
        from community_service.webhooks.delivery import SUBSCRIBER_NAME, webhooks_on_event

        notice_type_register(NoticeType("digest", "Daily digest mail", default=Delivery.EMAIL))
        notifications_subscribe()  # the apps' ready() add their rules (and re-subscribe) after this
        subscriber_register(SUBSCRIBER_NAME, webhooks_on_event)
