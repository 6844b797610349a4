"""Routes of the billing app: each resource module under billing/views/ lists its own."""

from billing.views import donations, levels, subscriptions, webhooks

urlpatterns: list = [
    *subscriptions.urlpatterns,
    *levels.urlpatterns,
    *donations.urlpatterns,
    *webhooks.urlpatterns,
]
