"""The console's admin site: Django's, except that moderators land on their report queue and
the index leads with the work waiting (each app's console links, e.g. the report queue)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class ConsoleLink:
    """A page the console index links to, with how many items wait there."""

    name: str
    url: str
    count: int


class ConsoleAdminSite(AdminSite):
    site_header = "Community Service console"
    site_title = "Community Service console"
    index_title = "Moderation and operations"
    index_template = "admin/console_index.html"

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """The links registered model admins offer through `console_links(request)`: apps above
        the platform add their pages without this module importing them."""
        return [link for model_admin in self._registry.values() if hasattr(model_admin, "console_links")
                for link in model_admin.console_links(request)]

    # A redirect for moderators, where AdminSite.index always renders a TemplateResponse.
    def index(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # A moderator's day starts at the queue; platform staff (superusers) and `?all=1`
        # get the usual index of every model.
        if not request.user.is_superuser and "all" not in request.GET:
            try:
                return HttpResponseRedirect(reverse(f"{self.name}:content_report_queue"))
            except NoReverseMatch:  # the content app's console is not installed
                pass
        return super().index(request, {"console_links": self.console_links(request), **(extra_context or {})})


class ConsoleAdminConfig(AdminConfig):
    """Replaces django.contrib.admin in INSTALLED_APPS so `admin.site` is the console site."""

    default_site = "community_service.admin_site.ConsoleAdminSite"
