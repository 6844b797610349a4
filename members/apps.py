from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Users and members"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from communities.signals import community_created
        from members import (  # noqa: F401  (schema registers the OpenAPI auth extension)
            receivers,
            schema,
            tasks,  # noqa: F401  (registers the tasks the services queue by name: members.task_queue)
        )
        from members.notices import notices_register

        notices_register()
        community_created.connect(receivers.bootstrap_new_community, dispatch_uid="members.bootstrap_new_community")
        user = self.get_model("User")
        post_save.connect(receivers.recache_user, sender=user, dispatch_uid="members.recache_user_save")
        post_delete.connect(receivers.recache_user, sender=user, dispatch_uid="members.recache_user_delete")
