import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from communities.services import community_create, community_soft_delete, community_update
from community_service.outbox.catalogue import EVENT_TYPES, EventType
from community_service.outbox.models import OutboxEvent, OutboxStatus
from community_service.outbox.services import outbox_record
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

SEED_TYPES = {
    "community.created", "community.updated", "community.deleted", "member.joined", "member.left",
    "post.created", "post.updated", "post.deleted", "donation.received", "subscription.started",
    "subscription.ended", "event.created", "event.updated", "event.deleted",
}


class ForcedRollback(Exception):
    pass


def test_catalogue_has_the_seed_types_and_the_enum_names_every_type():
    assert SEED_TYPES <= set(EVENT_TYPES)
    assert {spec.name for spec in EVENT_TYPES.values() if spec.seed} == SEED_TYPES
    assert {member.value for member in EventType} == set(EVENT_TYPES)


def test_docs_list_every_event_type_with_every_payload_field():
    docs = (Path(settings.BASE_DIR) / "docs" / "events.md").read_text()
    for spec in EVENT_TYPES.values():
        section = re.search(rf"^### `{re.escape(spec.name)}`\n(.*?)(?=^### |\Z)", docs, re.S | re.M)
        assert section, f"docs/events.md has no section for {spec.name}"
        for name in (*spec.fields, *spec.optional):
            assert f"`{name}`" in section.group(1), f"{spec.name}: field {name} not documented"


@pytest.mark.django_db
def test_outbox_record_refuses_an_unknown_type_or_an_undocumented_payload():
    with transaction.atomic():
        with pytest.raises(ValueError, match="Unknown event type"):
            outbox_record(event_type="community.renamed", aggregate_type="community", aggregate_id="x",
                          community_id=None, payload={})
        with pytest.raises(ValueError, match="missing"):
            outbox_record(event_type="community.deleted", aggregate_type="community", aggregate_id="x",
                          community_id=None, payload={"community_id": "x"})


@pytest.mark.django_db(transaction=True)
def test_outbox_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_record(event_type="community.deleted", aggregate_type="community", aggregate_id="x",
                      community_id=None, payload={"community_id": "x", "owner_id": "y", "name": "z"})


@pytest.mark.django_db
def test_community_create_update_delete_record_their_events_in_order():
    owner = UserFactory()
    community = community_create(owner=owner, name="Python Developers", community_type="public")
    community_update(community=community, data={"name": "Pythonistas", "description": "hi"})
    community_soft_delete(community=community)
    rows = list(OutboxEvent.objects.filter(community_id=community.pk, aggregate_type="community").order_by("id"))
    assert [row.event_type for row in rows] == ["community.created", "community.updated", "community.deleted"]
    assert rows[0].payload == {
        "community_id": str(community.pk), "owner_id": str(owner.pk), "name": "Python Developers",
        "slug": community.slug, "community_type": "public",
    }
    assert rows[1].payload["changed"] == ["description", "name"] and rows[1].payload["name"] == "Pythonistas"
    assert all(row.status == OutboxStatus.PENDING and row.aggregate_id == str(community.pk) for row in rows)


@pytest.mark.django_db
def test_api_write_stores_request_id_actor_and_schema_version_in_metadata():
    owner = UserFactory()
    response = client_for(owner).post(url_for("community-list"), {"name": "Meta"}, HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 201
    row = OutboxEvent.objects.get(event_type="community.created", community_id=response.json()["id"])
    assert row.metadata == {"request_id": "req-42", "actor_id": str(owner.pk), "schema_version": 1}


@pytest.mark.django_db
def test_a_refused_write_records_no_event():
    community = CommunityFactory()
    before = OutboxEvent.objects.count()
    response = client_for(community.owner).post(url_for("community-list"), {"name": "Dup", "slug": community.slug})
    assert response.status_code == 409
    assert OutboxEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_1000_writes_with_10_percent_rollbacks_leave_exactly_the_committed_events():
    community = community_create(owner=UserFactory(), name="Busy", community_type="public")
    committed = 0
    for i in range(1000):
        try:
            with transaction.atomic():
                community_update(community=community, data={"description": f"revision {i}"})
                if i % 10 == 0:
                    raise ForcedRollback  # the write and its event must vanish together
            committed += 1
        except ForcedRollback:
            pass
    assert committed == 900
    assert OutboxEvent.objects.filter(event_type="community.updated", community_id=community.pk).count() == committed
    community.refresh_from_db()
    assert community.description == "revision 999"
    # The after-commit hook really ran (log publisher in tests): nothing left behind.
    assert not OutboxEvent.objects.exclude(status=OutboxStatus.PUBLISHED).exists()
