"""Outbound webhooks: a community's endpoints get its domain events, signed, retried, logged.

Another publisher of the outbox, beside the broker relay: the `webhooks` in-process
subscriber (community_service/outbox/subscribers.py) turns each committed event of a
community into one WebhookDelivery per active endpoint that wants its type, in the event's
dispatch transaction (exactly once); Celery then sends them (delivery.py), never in a
request. Endpoints are registered by webhook.manage holders through members' services.
"""
