from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Users and members"

    def ready(self) -> None:
        from members import schema  # noqa: F401  (registers the OpenAPI auth extension)
