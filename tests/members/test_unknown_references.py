"""A user id in the body that names no one is a 400 `does_not_exist` on `user_id`: the route
exists, so 404 (which is about the path) would be a lie."""

import uuid

import pytest

from communities.models import Community
from members.models import Member, MemberStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _refused_on_user_id(response) -> None:
    assert response.status_code == 400, response.content
    assert "user_id" in response.data
    assert response.data["code"] == "does_not_exist"


@pytest.mark.parametrize("who", ["made_up", "closed_account"])
def test_transferring_ownership_to_an_unknown_user_is_a_400_naming_user_id(who):
    community = CommunityFactory()
    user_id = uuid.uuid4() if who == "made_up" else UserFactory(is_active=False).pk
    response = client_for(community.owner).post(url_for("community-transfer-ownership", community_pk=community.pk),
                                                {"user_id": str(user_id)})
    _refused_on_user_id(response)
    assert Community.objects.get(pk=community.pk).owner_id == community.owner_id


def test_banning_an_unknown_user_is_a_400_naming_user_id():
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("ban-list", community_pk=community.pk),
                                                {"user_id": str(uuid.uuid4())})
    _refused_on_user_id(response)
    assert not Member.objects.filter(community=community, status=MemberStatus.BANNED).exists()


@pytest.mark.parametrize("who", ["made_up", "not_a_member"])
def test_muting_someone_who_is_not_a_member_is_a_400_naming_user_id(who):
    community = CommunityFactory()
    user_id = uuid.uuid4() if who == "made_up" else UserFactory().pk
    response = client_for(community.owner).post(url_for("mute-list", community_pk=community.pk),
                                                {"user_id": str(user_id), "duration_seconds": 60})
    _refused_on_user_id(response)
    assert not Member.objects.filter(community=community, muted_until__isnull=False).exists()


def test_a_malformed_user_id_is_still_invalid_not_unknown():
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("community-transfer-ownership", community_pk=community.pk),
                                                {"user_id": "not-a-uuid"})
    assert (response.status_code, response.data["code"], "user_id" in response.data) == (400, "invalid", True)


def test_a_path_naming_no_member_is_still_a_404():
    community = CommunityFactory()
    member_add(community)
    response = client_for(community.owner).delete(url_for("member-detail", community_pk=community.pk,
                                                          user_id=uuid.uuid4()))
    assert response.status_code == 404
