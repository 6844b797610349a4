"""The console's admin site: Django's, with an index that leads with the work waiting.

Each app's model admins offer their part of the index without this module importing them:
`console_links(request)` (queues with their counts and ages, and for superusers the
platform's health) and `console_activity(request)` (what other moderators did lately).
Internal tables (`console_section = "System"`) are grouped apart and shown to superusers only.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.timesince import timesince

SYSTEM = "System"


@dataclass(frozen=True)
class ConsoleLink:
    """A page the console index links to, with how many items wait there and for how long.

    `section` is "work" (a moderator's queues) or "operations" (the platform's health, superusers)."""

    name: str
    url: str
    count: int
    oldest: datetime | None = None
    section: str = "work"
    note: str = ""

    @property
    def age(self) -> str:
        return timesince(self.oldest).split(",")[0] if self.oldest else ""


@dataclass(frozen=True)
class ConsoleActivity:
    """One recent moderation action, in words."""

    when: datetime
    who: str
    what: str
    where: str
    url: str = ""


class SystemAdmin(admin.ModelAdmin):
    """An internal table (outbox, idempotency keys, rollups, tokens): superusers only, listed
    under "System" on the index."""

    console_section = SYSTEM

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ConsoleAdminSite(AdminSite):
    site_header = "Community Service console"
    site_title = "Community Service console"
    index_title = "Moderation and operations"
    index_template = "admin/console_index.html"

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """The links registered model admins offer through `console_links(request)`."""
        return [link for model_admin in self._registry.values() if hasattr(model_admin, "console_links")
                for link in model_admin.console_links(request)]

    def console_activity(self, request: HttpRequest) -> list[ConsoleActivity]:
        rows = [row for model_admin in self._registry.values() if hasattr(model_admin, "console_activity")
                for row in model_admin.console_activity(request)]
        return sorted(rows, key=lambda row: row.when, reverse=True)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        # Internal tables leave their apps for one "System" section at the end.
        apps = super().get_app_list(request, app_label)
        system_names = {model._meta.object_name for model, model_admin in self._registry.items()
                        if getattr(model_admin, "console_section", None) == SYSTEM}
        system = []
        for app in apps:
            system += [entry for entry in app["models"] if entry["object_name"] in system_names]
            app["models"] = [entry for entry in app["models"] if entry["object_name"] not in system_names]
        apps = [app for app in apps if app["models"]]
        if system and app_label is None:
            apps.append({"name": SYSTEM, "app_label": "system", "app_url": "", "has_module_perms": True,
                         "models": sorted(system, key=lambda entry: entry["name"])})
        return apps

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        links = self.console_links(request)
        return super().index(request, {
            "work_links": [link for link in links if link.section == "work"],
            "operations_links": [link for link in links if link.section == "operations"],
            "activity": self.console_activity(request)[:10],
            **(extra_context or {}),
        })


class ConsoleAdminConfig(AdminConfig):
    """Replaces django.contrib.admin in INSTALLED_APPS so `admin.site` is the console site."""

    default_site = "community_service.admin_site.ConsoleAdminSite"
