"""Routes of the content app: each resource module under content/views/ lists its own."""

from content.views import (
    attachments,
    audit,
    channels,
    comments,
    notification_levels,
    posts,
    reactions,
    reports,
    search,
)

urlpatterns: list = [
    *channels.urlpatterns,
    *posts.urlpatterns,
    *search.urlpatterns,
    *reports.urlpatterns,
    *audit.urlpatterns,
    *attachments.urlpatterns,
    *comments.urlpatterns,
    *reactions.urlpatterns,
    *notification_levels.urlpatterns,
]
