from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Users and members"

    def ready(self) -> None:
        from communities.signals import community_created
        from members import receivers, schema  # noqa: F401  (schema registers the OpenAPI auth extension)

        community_created.connect(receivers.bootstrap_new_community, dispatch_uid="members.bootstrap_new_community")
