from django.apps import AppConfig


class CommunityServiceConfig(AppConfig):
    name = "community_service"
    verbose_name = "Platform"
