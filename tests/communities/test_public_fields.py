"""One list of a community's public fields (communities/public_fields.py): REST's serializer,
the pre-DRF fast path's bytes and gRPC's Community message answer every one of them alike."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from google.protobuf.message import Message

from communities.public_fields import COMMUNITY_PUBLIC_FIELDS
from communities.serializers import CommunityOutputSerializer
from content.grpc_api import communities as grpc_communities
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def _as_json(message: Message, name: str) -> Any:
    """A field of the gRPC message as the REST answer spells it."""
    field, value = message.DESCRIPTOR.fields_by_name[name], getattr(message, name)
    if field.enum_type is not None:  # COMMUNITY_TYPE_RESTRICTED -> "restricted"
        prefix = field.enum_type.values_by_number[0].name.removesuffix("UNSPECIFIED")
        return field.enum_type.values_by_number[value].name.removeprefix(prefix).lower()
    if field.message_type is not None:  # a Timestamp, compared below as an instant
        return value.ToDatetime(tzinfo=UTC)
    return value


def _instant(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) and value.endswith("Z") else value


def test_the_serializer_the_fast_path_and_grpc_answer_every_public_field_alike(client, monkeypatch):
    from rest_framework.views import APIView

    community = CommunityFactory(community_type="restricted", language="ru", post_moderation=True,
                                 status="archived", description="Ünïcode — <b>", member_count=7, post_count=3)
    monkeypatch.setattr(APIView, "initial", lambda *a, **k: pytest.fail("the fast path must answer this read"))
    fast = client.get(f"/api/v1/communities/{community.pk}").json()
    community.refresh_from_db()
    serialized = CommunityOutputSerializer(community).data
    message = grpc_communities.community_message(community)

    assert list(serialized) == list(fast) == list(COMMUNITY_PUBLIC_FIELDS)
    assert {field.name for field in message.DESCRIPTOR.fields} == set(COMMUNITY_PUBLIC_FIELDS)
    for name in COMMUNITY_PUBLIC_FIELDS:
        assert fast[name] == serialized[name], name
        assert _as_json(message, name) == _instant(serialized[name]), name
    assert (fast["language"], fast["post_moderation"], message.community_type) == ("ru", True, 2)


def test_a_public_field_the_proto_lacks_fails_the_grpc_module_at_import(monkeypatch):
    monkeypatch.setattr(grpc_communities, "COMMUNITY_PUBLIC_FIELDS", (*COMMUNITY_PUBLIC_FIELDS, "secret_notes"))
    with pytest.raises(ImproperlyConfigured, match="differ"):
        grpc_communities._message_converters()
