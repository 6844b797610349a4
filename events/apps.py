from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events (meetups)"

    def ready(self) -> None:
        from events import receivers
        from events.notices import notices_register

        notices_register()
        from members.signals import membership_ended

        membership_ended.connect(receivers.drop_registrations_of_former_member,
                                 dispatch_uid="events.drop_registrations_of_former_member")
