"""POST /auth/close-account: closing an account (password, no owned communities), and what follows."""

import pytest
from rest_framework.test import APIClient

from billing.models import SubscriptionStatus
from communities.models import Community
from community_service.outbox.models import OutboxEvent
from events.models import RegistrationStatus
from members.models import Member, MemberStatus, User
from members.services.memberships import member_join
from tests.billing.world import level_create, subscription_active
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import TEST_PASSWORD, CommunityFactory, PostFactory, UserFactory, member_add
from tests.members.sessions import access_answer, login_status, signed_in
from tests.routes import url_for

CLOSE = url_for("auth-close-account")
REGISTER = url_for("auth-register")


def _close(api: APIClient, capture, password: str = TEST_PASSWORD):
    with capture(execute=True):  # leaving the communities is a task after commit
        return api.post(CLOSE, {"current_password": password}, format="json")


@pytest.mark.django_db
def test_a_closed_account_is_signed_out_anonymised_and_its_address_free_again(django_capture_on_commit_callbacks):
    user = UserFactory()
    email, username = user.email, user.username
    community = CommunityFactory()
    member_add(community, user=user)
    post = PostFactory(community=community, author=user, title="kept", content="words")
    api, pair = signed_in(user)
    assert _close(api, django_capture_on_commit_callbacks).status_code == 204
    closed = User.objects.get(pk=user.pk)
    assert not closed.is_active and not closed.has_usable_password()
    assert closed.email.endswith("@closed.invalid") and closed.username.startswith("closed-")
    assert email not in (closed.email, closed.username) and username != closed.username
    assert access_answer(pair) == (401, "user_inactive") and login_status(user, TEST_PASSWORD) == 401
    # What they wrote stays, under the placeholder name.
    shown = APIClient().get(url_for("post-detail", post_id=post.pk)).json()
    assert shown["title"] == "kept" and username not in str(shown)
    # The address can make a new account.
    again = APIClient().post(REGISTER, {"email": email, "username": username, "password": "another-long-secret"})
    assert again.status_code == 201, again.content


@pytest.mark.django_db
def test_it_leaves_every_community_gives_up_event_seats_and_stops_renewals(django_capture_on_commit_callbacks):
    user, waiting = UserFactory(), UserFactory()
    community, other = CommunityFactory(), CommunityFactory(community_type="restricted")
    member_add(community, user=user)
    member_add(community, user=waiting)
    member_add(other, user=user, status=MemberStatus.PENDING)
    count_before = Community.objects.get(pk=community.pk).member_count
    event = event_make(community, capacity=1)
    registration_make(event, user)
    registration_make(event, waiting, status=RegistrationStatus.WAITLISTED)
    subscription = subscription_active(level_create(community), user)
    api, _ = signed_in(user)
    assert _close(api, django_capture_on_commit_callbacks).status_code == 204
    assert set(Member.objects.filter(user=user).values_list("status", flat=True)) == {MemberStatus.LEFT}
    assert Community.objects.get(pk=community.pk).member_count == count_before - 1
    assert OutboxEvent.objects.filter(event_type="member.left", payload__user_id=str(user.pk)).count() == 1
    [closed] = OutboxEvent.objects.filter(event_type="user.closed")
    assert (closed.aggregate_type, closed.aggregate_id, closed.community_id, closed.payload) == (
        "user", str(user.pk), None, {"user_id": str(user.pk)})
    event.refresh_from_db()
    assert event.registrations.get(user=user).status == RegistrationStatus.CANCELLED
    assert event.registrations.get(user=waiting).status == RegistrationStatus.GOING  # promoted to the seat
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED and subscription.expires_at is not None


@pytest.mark.django_db
def test_an_owner_must_hand_over_their_communities_first(django_capture_on_commit_callbacks):
    owner = UserFactory()
    CommunityFactory(owner=owner)
    api, pair = signed_in(owner)
    response = _close(api, django_capture_on_commit_callbacks)
    assert (response.status_code, response.json()["code"]) == (409, "owns_communities")
    assert User.objects.get(pk=owner.pk).is_active and access_answer(pair) == (200, None)


@pytest.mark.django_db
def test_a_wrong_or_missing_password_closes_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    api, pair = signed_in(user)
    wrong = _close(api, django_capture_on_commit_callbacks, password="not-" + TEST_PASSWORD)
    assert (wrong.status_code, wrong.json()["code"]) == (400, "password_incorrect")
    assert "current_password" in wrong.json()
    missing = api.post(CLOSE, {}, format="json")
    assert missing.status_code == 400 and "current_password" in missing.json()
    assert User.objects.get(pk=user.pk).is_active and access_answer(pair) == (200, None)


@pytest.mark.django_db
def test_anonymous_callers_get_a_401():
    assert APIClient().post(CLOSE, {"current_password": TEST_PASSWORD}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_join_racing_the_closing_ends_left_or_refused_never_an_active_membership_of_a_closed_account():
    user = UserFactory()
    communities = [CommunityFactory() for _ in range(4)]
    api, _ = signed_in(user)

    def join(community):
        try:
            return member_join(community=community, user=user).status
        except Exception as exc:  # refused: the account closed first
            return getattr(exc, "default_code", type(exc).__name__)

    results = run_concurrently([lambda: api.post(CLOSE, {"current_password": TEST_PASSWORD}, format="json"),
                                *[lambda community=community: join(community) for community in communities]])
    assert results[0].status_code == 204
    assert set(results[1:]) <= {MemberStatus.ACTIVE, "authentication_failed"}
    assert not Member.objects.filter(user=user, status=MemberStatus.ACTIVE).exists()


@pytest.mark.django_db(transaction=True)
def test_a_community_handed_to_an_account_while_it_closes_either_stops_the_closing_or_is_refused():
    user = UserFactory()
    community = CommunityFactory()
    member_add(community, user=user)
    api, _ = signed_in(user)
    owner = client_for(community.owner)
    transfer = url_for("community-transfer-ownership", community_pk=community.pk)
    results = run_concurrently([lambda: api.post(CLOSE, {"current_password": TEST_PASSWORD}, format="json"),
                                lambda: owner.post(transfer, {"user_id": str(user.pk)}, format="json")])
    closing, handing = (response.status_code for response in results)
    community.refresh_from_db()
    if closing == 204:  # closed first: nothing is handed to a closed account (400 does_not_exist, or 409)
        assert handing in (400, 409) and community.owner_id != user.pk
    else:  # handed first: an owner cannot close
        assert (closing, results[0].json()["code"], handing) == (409, "owns_communities", 200)
        assert community.owner_id == user.pk and User.objects.get(pk=user.pk).is_active
