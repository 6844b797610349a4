from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events (meetups)"

    def ready(self) -> None:
        from events import receivers  # noqa: F401  (reacts to members' membership_ended hook)
