from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from community_service import media
from community_service.api.index import ApiIndexView
from community_service.observability import health
from community_service.observability.metrics import metrics_view

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("", include("members.urls")),
    path("", include("content.urls")),
    path("", include("events.urls")),
    path("", include("billing.urls")),
    path("", include("analytics.urls")),
    path("", include("community_service.notifications.views")),
]

urlpatterns = [
    path("health", health.health, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

# Locally stored media (the embedded default), by signed, expiring URL only; S3 signs its own.
if not settings.S3_ENDPOINT:
    urlpatterns.append(path("media/<path:name>", media.serve, name="media"))

# Unknown URLs and crashes answer in the API's error shape, not Django's HTML pages.
handler400 = "community_service.api.errors.bad_request"
handler403 = "community_service.api.errors.permission_denied"
handler404 = "community_service.api.errors.not_found"
handler500 = "community_service.api.errors.server_error"
