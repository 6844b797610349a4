"""Console: the daily rollups, and each community's dashboard drawn as charts."""

import json
from uuid import UUID

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from analytics.charts import Series, line_chart_svg
from analytics.models import CommunityDay
from analytics.selectors.communities import community_analytics_cached
from analytics.selectors.ranges import day_range
from communities.models import Community
from community_service.admin_site import SystemAdmin
from community_service.api.rendered import is_rendered, render


@admin.register(CommunityDay)
class CommunityDayAdmin(SystemAdmin):
    """Read-only: rows are rebuilt by the rollup task or `rebuild_analytics`, never edited."""

    list_display = ["community", "day", "members_joined", "members_left", "posts", "comments", "likes",
                    "active_users", "dashboard"]
    list_select_related = ["community"]
    list_filter = ["day"]
    search_fields = ["community__name", "community__slug"]
    date_hierarchy = "day"
    ordering = ["-day"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Dashboard")
    def dashboard(self, row: CommunityDay) -> str:
        url = reverse("admin:analytics_community_dashboard", args=[row.community_id])
        return format_html('<a href="{}">charts</a>', url)

    def get_urls(self) -> list[URLPattern]:
        dashboard = self.admin_site.admin_view(self.dashboard_view)
        return [path("community/<uuid:community_id>/", dashboard, name="analytics_community_dashboard"),
                *super().get_urls()]

    def dashboard_view(self, request: HttpRequest, community_id: UUID) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        community = get_object_or_404(Community, pk=community_id)
        # The API's cached dashboard (the seed's key), decoded: one cache for both consoles.
        body, _ = community_analytics_cached(community_id=community.pk, days=day_range(since=None, until=None),
                                             load=lambda: community, serialize=render, valid=is_rendered)
        data = json.loads(body)
        labels = [str(row["day"]) for row in data["members"]["growth"]]
        charts = [
            line_chart_svg(title="Members", labels=labels, series=[
                Series("total", [row["total"] for row in data["members"]["growth"]])]),
            line_chart_svg(title="Joins and departures", labels=labels, series=[
                Series("joined", [row["joined"] for row in data["members"]["growth"]]),
                Series("left", [row["left"] for row in data["members"]["growth"]])]),
            line_chart_svg(title="Posts and comments", labels=labels, series=[
                Series("posts", [row["posts"] for row in data["content"]["by_day"]]),
                Series("comments", [row["comments"] for row in data["content"]["by_day"]])]),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Analytics: {community.name}",
            "community": community,
            "data": data,
            "charts": [mark_safe(chart) for chart in charts],  # built from numbers and escaped labels
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/analytics/community_dashboard.html", context)
