import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from community_service.outbox.models import OutboxEvent, OutboxStatus
from community_service.outbox.services import outbox_prune, outbox_record
from tests.factories import OutboxEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _pending_event(*, age_seconds: float) -> OutboxEvent:
    community_id = uuid.uuid4()
    with transaction.atomic():
        event = outbox_record(event_type="community.deleted", aggregate_type="community", aggregate_id=community_id,
                              community_id=community_id,
                              payload={"community_id": community_id, "owner_id": uuid.uuid4(), "name": "Lagging"})
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(seconds=age_seconds))
    return event


def test_ready_reports_outbox_lag_without_failing_below_the_threshold(client, settings):
    settings.OUTBOX_LAG_ALERT_SECONDS = 900
    _pending_event(age_seconds=120)
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["outbox"] == "ok"
    assert body["outbox"]["pending"] == 1 and body["outbox"]["failed"] == 0
    assert 119 < body["outbox"]["oldest_pending_age_seconds"] < 180


def test_ready_is_503_naming_the_outbox_when_events_are_stuck_past_the_threshold(client, settings):
    settings.OUTBOX_LAG_ALERT_SECONDS = 60
    _pending_event(age_seconds=120)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["down"] == ["outbox"]


def test_admin_lists_events_with_their_lag_and_resends_failed_ones():
    client = Client()  # the browser's form posts, not the API client
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = _pending_event(age_seconds=5)
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxStatus.FAILED, attempts=10, last_error="too large")
    page = client.get("/admin/community_service/outboxevent/?status__exact=failed")
    assert page.status_code == 200
    assert b"too large" in page.content and b"1 failed" in page.content
    response = client.post("/admin/community_service/outboxevent/",
                           {"action": "retry_failed", "index": 0, "_selected_action": [event.pk]})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == OutboxStatus.PENDING and event.attempts == 0


@pytest.mark.django_db
def test_prune_deletes_only_old_published_rows():
    now = timezone.now()
    old = OutboxEventFactory(published=True, published_at=now - timedelta(days=8))
    recent = OutboxEventFactory(published=True, published_at=now - timedelta(days=1))
    pending = OutboxEventFactory()
    failed = OutboxEventFactory(failed=True)
    assert outbox_prune(older_than=timedelta(days=7), batch_size=1) == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk, failed.pk}
    assert not OutboxEvent.objects.filter(pk=old.pk).exists()
    call_command("prune_outbox", "--days", "0")
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {pending.pk, failed.pk}


def test_the_outbox_page_opens_on_pending_and_failed_events_and_hurries_a_waiting_one():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    waiting = _pending_event(age_seconds=5)
    OutboxEvent.objects.filter(pk=waiting.pk).update(attempts=3, last_error="broker down",
                                                     next_attempt_at=timezone.now() + timedelta(minutes=5))
    published = _pending_event(age_seconds=5)
    OutboxEvent.objects.filter(pk=published.pk).update(status=OutboxStatus.PUBLISHED)
    landing = client.get("/admin/community_service/outboxevent/")
    assert landing.status_code == 302 and landing["Location"].endswith("?attention=yes")
    page = client.get(landing["Location"])
    assert [event.pk for event in page.context["cl"].result_list] == [waiting.pk]
    assert b"broker down" in page.content
    client.post("/admin/community_service/outboxevent/",
                {"action": "retry_failed", "index": 0, "_selected_action": [waiting.pk, published.pk]})
    waiting.refresh_from_db()
    assert waiting.next_attempt_at <= timezone.now() and waiting.status == OutboxStatus.PENDING


def test_moderators_do_not_see_the_outbox():
    from tests.console.conftest import make_moderator

    client = Client()
    client.force_login(make_moderator())
    assert client.get("/admin/community_service/outboxevent/?attention=yes").status_code == 403
