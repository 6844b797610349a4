from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"

    def ready(self) -> None:
        from communities.signals import community_created, community_language_changed
        from content import receivers
        from content.models import Report
        from content.selectors.reports import report_labels

        Report.labels_of = report_labels  # Report.__str__'s words (see there)

        from content.notices import notices_register

        notices_register()

        community_created.connect(receivers.create_general_channel, dispatch_uid="content.create_general_channel")
        community_language_changed.connect(receivers.reindex_after_language_change,
                                           dispatch_uid="content.reindex_after_language_change")
