"""Routes of the analytics app: each module under analytics/views/ lists its own."""

from analytics.views import dashboards

urlpatterns: list = [*dashboards.urlpatterns]
