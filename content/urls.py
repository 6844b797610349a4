"""Routes of the content app: each resource module under content/views/ lists its own."""

urlpatterns: list = []
