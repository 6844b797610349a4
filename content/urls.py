"""Routes of the content app: each resource module under content/views/ lists its own."""

from content.views import attachments, channels, posts, reports, search
from content.views import comments, reactions
from content.views import audit

urlpatterns: list = [
    *channels.urlpatterns,
    *posts.urlpatterns,
    *search.urlpatterns,
    *reports.urlpatterns,
    *audit.urlpatterns,
    *attachments.urlpatterns,
    *comments.urlpatterns,
    *reactions.urlpatterns,
]
