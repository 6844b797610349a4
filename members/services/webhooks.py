"""A community's webhook endpoints, managed by webhook.manage holders (delivery: community_service.webhooks)."""

from collections.abc import Iterable
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from communities.models import Community
from community_service.exceptions import NotFound, ValidationFailed
from community_service.outbox.catalogue import EVENT_TYPES
from community_service.webhooks.delivery import delivery_redeliver, secret_new
from community_service.webhooks.guard import check_url
from community_service.webhooks.models import WebhookDelivery, WebhookEndpoint
from members import policy
from members.catalogue import Permission
from members.models import User
from members.selectors.access import CommunityAccess

MAX_ENDPOINTS = 20


def _event_types(event_types: Iterable[str]) -> list[str]:
    wanted = sorted(set(event_types))
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown:
        raise ValidationFailed(f"Unknown event type: {', '.join(unknown)} (docs/events.md).", field="event_types",
                               code="invalid_choice")
    return wanted


def endpoint_get(*, community: Community, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, community=community).first()
    if endpoint is None:
        raise NotFound("Webhook endpoint not found.")
    return endpoint


def webhook_endpoint_create(*, actor: CommunityAccess, community: Community, user: User, url: str,
                            event_types: Iterable[str] = (), is_active: bool = True) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (the caller shows it once)."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    wanted = _event_types(event_types)
    check_url(url)
    if WebhookEndpoint.objects.filter(community=community).count() >= MAX_ENDPOINTS:
        raise ValidationFailed(f"A community has at most {MAX_ENDPOINTS} webhook endpoints.", code="too_many")
    return WebhookEndpoint.objects.create(community=community, url=url, event_types=wanted, is_active=is_active,
                                          secret=secret_new(), created_by=user)


def webhook_endpoint_update(*, actor: CommunityAccess, endpoint: WebhookEndpoint, data: dict) -> WebhookEndpoint:
    """Change url, event_types or is_active; enabling again forgets the failures."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    if "url" in data:
        check_url(data["url"])
        endpoint.url = data["url"]
    if "event_types" in data:
        endpoint.event_types = _event_types(data["event_types"])
    if "is_active" in data:
        if data["is_active"] and not endpoint.is_active:
            endpoint.failing_since, endpoint.disabled_reason = None, ""
        endpoint.is_active = data["is_active"]
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, actor: CommunityAccess, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; deliveries are signed with the old one too for WEBHOOK_SECRET_OVERLAP_HOURS."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
        endpoint.secret = secret_new()
        endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, actor: CommunityAccess, endpoint: WebhookEndpoint) -> None:
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    endpoint.delete()


@transaction.atomic
def webhook_redeliver(*, actor: CommunityAccess, endpoint: WebhookEndpoint, delivery_id: UUID) -> WebhookDelivery:
    """Send one delivery of the endpoint again now."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, endpoint=endpoint).first()
    if delivery is None:
        raise NotFound("Delivery not found.")
    delivery_redeliver(delivery)
    return delivery
