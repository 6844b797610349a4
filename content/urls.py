"""Routes of the content app: each resource module under content/views/ lists its own."""

from content.views import channels, posts, search

urlpatterns: list = [
    *channels.urlpatterns,
    *posts.urlpatterns,
    *search.urlpatterns,
]
