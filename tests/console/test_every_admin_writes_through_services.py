"""Every console page either only shows, or writes through the API's services: a new
ModelAdmin fails here until it is listed below with the service each of its writes calls."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

from members.console import ServiceWritesAdmin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Per model: the services its console add, change and delete call (a missing kind: not offered).
SERVICE_WRITES: dict[str, dict[str, set[str]]] = {
    "members.user": {"add": {"user_register"}, "change": {"user_rename", "user_platform_access_set"}},
    "members.member": {"change": {"member_update"}},
    "members.role": {"add": {"role_create"}, "change": {"role_update"}, "delete": {"role_delete"}},
    "communities.community": {"change": {"community_update"}, "delete": {"community_soft_delete"}},
    "communities.invite": {"add": {"invite_create"}},
    "content.channel": {"add": {"channel_create"}, "change": {"channel_update"}, "delete": {"channel_delete"}},
    "billing.subscriptionlevel": {"add": {"level_create"}, "change": {"level_update"}, "delete": {"level_delete"}},
    "events.event": {"delete": {"event_delete"}},
}
# Writes with no domain service: a platform record that has no events or audit by design.
PLATFORM_WRITES: dict[str, dict[str, set[str]]] = {
    "community_service.idempotencykey": {"delete": {"idempotency_forget"}},
}
# Django's own: which console pages a staff group opens (the Moderators group). No community
# data, no API, nothing to publish; what a moderator may then do is the policy's.
DJANGO_CONFIGURATION = {"auth.group"}
READ_ONLY = {
    "communities.auditlogentry", "members.emailview", "content.post", "content.comment", "content.report",
    "content.attachment",
    "events.registration", "billing.subscription", "billing.donation", "billing.payment", "billing.webhookevent",
    "analytics.communityday", "community_service.outboxevent", "community_service.outboxdelivery",
    "community_service.notification", "token_blacklist.outstandingtoken",
    "token_blacklist.blacklistedtoken", "community_service.webhookdelivery",
}


def _offered(model_admin: ModelAdmin, request: object) -> set[str]:
    obj = model_admin.model()
    return {kind for kind, allowed in (
        ("add", model_admin.has_add_permission(request)),
        ("change", model_admin.has_change_permission(request, obj)),
        ("delete", model_admin.has_delete_permission(request, obj)),
    ) if allowed}


def _calls(method: object) -> set[str]:
    return set(method.__code__.co_names)  # type: ignore[attr-defined]


def test_every_registered_admin_is_listed():
    registered = {model._meta.label_lower for model in admin.site._registry}
    listed = set(SERVICE_WRITES) | set(PLATFORM_WRITES) | READ_ONLY | DJANGO_CONFIGURATION
    assert registered == listed


@pytest.mark.parametrize("label", sorted(READ_ONLY))
def test_read_only_admins_offer_no_write_even_to_superusers(label):
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = next(ma for model, ma in admin.site._registry.items() if model._meta.label_lower == label)
    assert _offered(model_admin, request) == set()
    for inline in model_admin.get_inline_instances(request):
        assert not (inline.has_add_permission(request, None) or inline.has_change_permission(request)
                    or inline.has_delete_permission(request))
    assert not model_admin.list_editable


@pytest.mark.parametrize("label", sorted({**SERVICE_WRITES, **PLATFORM_WRITES}))
def test_each_write_an_admin_offers_calls_its_service(label):
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = next(ma for model, ma in admin.site._registry.items() if model._meta.label_lower == label)
    services = {**SERVICE_WRITES, **PLATFORM_WRITES}[label]
    assert _offered(model_admin, request) == set(services)
    if label in SERVICE_WRITES:
        # Relations and "delete selected" go through save_model/delete_model, never around them.
        assert isinstance(model_admin, ServiceWritesAdmin)
        assert not model_admin.get_inline_instances(request)
    for kind, names in services.items():
        method = model_admin.delete_model if kind == "delete" else model_admin.save_model
        assert method.__func__ is not getattr(ModelAdmin, method.__name__)
        assert names <= _calls(method), f"{label} {kind} does not call {names}"
    assert not model_admin.list_editable
