"""Routes of the events app: each resource module under events/views/ lists its own."""

from events.views import calendars, events, registrations

urlpatterns: list = [
    *events.urlpatterns,
    *registrations.urlpatterns,
    *calendars.urlpatterns,
]
