# Why this is long: one test per behaviour of joining, leaving, requests, bans and kicks over HTTP.

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from communities.models import Community, Invite
from members.catalogue import ALL_PERMISSIONS
from members.models import Member, MemberStatus, Role
from tests.conftest import client_for
from tests.factories import CommunityFactory, InviteFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def add_member(community: Community, role: str | None = "Member", **fields: object) -> object:
    return member_add(community, role=role, **fields)


def member_count(community: Community) -> int:
    community.refresh_from_db()
    return community.member_count


# --- bootstrap ------------------------------------------------------------------------------


def test_creating_a_community_makes_the_owner_membership_and_default_roles(auth_client):
    response = auth_client.post(url_for("community-list"), {"name": "Guild"})
    community = Community.objects.get(pk=response.data["id"])
    roles = auth_client.get(url_for("role-list", community_pk=community.pk)).data
    assert [(r["name"], r["priority"], r["is_default"]) for r in roles] == [
        ("Admin", 100, False), ("Moderator", 50, False), ("Member", 1, True)
    ]
    me = auth_client.get(url_for("member-me", community_pk=community.pk)).data
    assert me["member"]["is_owner"] is True
    assert set(me["permissions"]) == ALL_PERMISSIONS
    assert member_count(community) == 1 == Member.objects.filter(community=community, status="active").count()


# --- joining by community type ---------------------------------------------------------------


def test_public_join_is_immediate_with_the_default_role_and_counted():
    community = CommunityFactory(community_type="public")
    user = UserFactory()
    response = client_for(user).post(url_for("member-list", community_pk=community.pk), {})
    assert response.status_code == 201
    assert response.data["status"] == "active"
    assert [r["name"] for r in response.data["roles"]] == ["Member"]
    assert member_count(community) == 2


def test_leaving_keeps_the_row_and_rejoining_reuses_it():
    community = CommunityFactory(community_type="public")
    user = UserFactory()
    api = client_for(user)
    api.post(url_for("member-list", community_pk=community.pk), {})
    assert api.delete(url_for("member-detail", community_pk=community.pk, user_id=user.pk)).status_code == 204
    member = Member.objects.get(community=community, user=user)
    assert (member.status, member.roles.count()) == ("left", 0)
    assert member_count(community) == 1
    assert api.post(url_for("member-list", community_pk=community.pk), {}).status_code == 201
    assert Member.objects.filter(community=community, user=user).count() == 1
    assert member_count(community) == 2


def test_restricted_join_waits_for_approval_then_counts():
    community = CommunityFactory(community_type="restricted")
    applicant = UserFactory()
    response = client_for(applicant).post(url_for("member-list", community_pk=community.pk),
                                          {"message": "Hi, I build Django apps"})
    assert (response.status_code, response.data["status"]) == (201, "pending")
    assert member_count(community) == 1
    owner = client_for(community.owner)
    requests = owner.get(url_for("join-request-list", community_pk=community.pk)).data["items"]
    assert [r["join_message"] for r in requests] == ["Hi, I build Django apps"]
    approved = owner.post(url_for("join-request-approve", community_pk=community.pk, user_id=applicant.pk))
    assert (approved.status_code, approved.data["status"]) == (200, "active")
    assert member_count(community) == 2
    endpoint = url_for("join-request-approve", community_pk=community.pk, user_id=applicant.pk)
    assert owner.post(endpoint).status_code == 404


def test_rejected_join_request_is_not_counted():
    community = CommunityFactory(community_type="restricted")
    applicant = UserFactory()
    client_for(applicant).post(url_for("member-list", community_pk=community.pk), {})
    response = client_for(community.owner).post(url_for("join-request-reject", community_pk=community.pk,
                                                        user_id=applicant.pk))
    assert response.data["status"] == "rejected"
    assert member_count(community) == 1


def test_private_community_needs_an_invite():
    community = CommunityFactory(community_type="private")
    user = UserFactory()
    api = client_for(user)
    # Outsiders cannot even see it exists; joining without an invite is refused.
    assert api.get(url_for("community-detail", pk=community.pk)).status_code == 404
    assert api.post(url_for("member-list", community_pk=community.pk), {}).status_code == 404
    invite = client_for(community.owner).post(url_for("invite-list", community_pk=community.pk), {"max_uses": 1}).data
    assert len(invite["code"]) >= 16
    preview = api.get(url_for("invite-preview", code=invite["code"])).data
    assert (preview["community_name"], preview["usable"]) == (community.name, True)
    accepted = api.post(url_for("invite-accept", code=invite["code"]))
    assert (accepted.status_code, accepted.data["status"]) == (201, "active")
    assert api.get(url_for("community-detail", pk=community.pk)).status_code == 200
    assert Invite.objects.get(code=invite["code"]).uses == 1
    other = client_for(UserFactory()).post(url_for("invite-accept", code=invite["code"]))
    assert (other.status_code, other.data["code"]) == (409, "invite_used_up")


def test_public_join_rejects_a_member_of_a_private_community_without_invite():
    community = CommunityFactory(community_type="private")
    outsider_admin = client_for(UserFactory(), is_superadmin=True)
    response = outsider_admin.post(url_for("member-list", community_pk=community.pk), {})
    assert (response.status_code, response.data["code"]) == (403, "invite_required")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "invite_revoked"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "invite_expired"),
    ],
)
def test_revoked_or_expired_invites_do_not_work(change, code):
    community = CommunityFactory(community_type="private")
    invite = InviteFactory(community=community, code="abcdefghijklmnop", **change)
    response = client_for(UserFactory()).post(url_for("invite-accept", code=invite.code))
    assert (response.status_code, response.data["code"]) == (409, code)
    assert member_count(community) == 1


def test_unknown_invite_code_is_404():
    assert client_for(UserFactory()).post(url_for("invite-accept", code="nope-nope-nope")).status_code == 404


def test_revoking_an_invite_stops_it():
    community = CommunityFactory(community_type="private")
    owner = client_for(community.owner)
    invite = owner.post(url_for("invite-list", community_pk=community.pk), {}).data
    assert owner.delete(url_for("invite-detail", community_pk=community.pk, invite_id=invite["id"])).status_code == 204
    assert client_for(UserFactory()).post(url_for("invite-accept", code=invite["code"])).status_code == 409


# --- bans and mutes -------------------------------------------------------------------------------


def test_a_banned_user_cannot_rejoin_until_the_ban_ends():
    community = CommunityFactory()
    user = add_member(community)
    owner = client_for(community.owner)
    banned = owner.post(url_for("ban-list", community_pk=community.pk),
                        {"user_id": str(user.pk), "duration_seconds": 3600, "reason": "spam"})
    assert (banned.status_code, banned.data["status"], banned.data["ban_reason"]) == (201, "banned", "spam")
    assert member_count(community) == 1
    api = client_for(user)
    assert api.post(url_for("member-list", community_pk=community.pk), {}).data["code"] == "banned"
    assert api.get(url_for("member-list", community_pk=community.pk)).status_code == 403
    Member.objects.filter(user=user).update(banned_until=timezone.now() - timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()
    assert api.post(url_for("member-list", community_pk=community.pk), {}).status_code == 201


def test_a_user_who_is_not_a_member_can_be_banned_pre_emptively():
    community = CommunityFactory()
    stranger = UserFactory()
    response = client_for(community.owner).post(url_for("ban-list", community_pk=community.pk),
                                                {"user_id": str(stranger.pk)})
    assert (response.status_code, response.data["banned_until"]) == (201, None)
    assert client_for(stranger).post(url_for("member-list", community_pk=community.pk), {}).status_code == 403


def test_unban_lets_the_user_join_again():
    community = CommunityFactory()
    user = add_member(community, status=MemberStatus.BANNED, role=None)
    endpoint = url_for("ban-detail", community_pk=community.pk, user_id=user.pk)
    assert client_for(community.owner).delete(endpoint).status_code == 204
    assert client_for(user).post(url_for("member-list", community_pk=community.pk), {}).status_code == 201


def test_mute_shows_in_my_access_and_can_be_lifted():
    community = CommunityFactory()
    user = add_member(community)
    owner = client_for(community.owner)
    muted = owner.post(url_for("mute-list", community_pk=community.pk),
                       {"user_id": str(user.pk), "duration_seconds": 600})
    assert (muted.status_code, muted.data["is_muted"]) == (201, True)
    assert client_for(user).get(url_for("member-me", community_pk=community.pk)).data["is_muted"] is True
    endpoint = url_for("mute-list", community_pk=community.pk)
    assert [m["user_id"] for m in owner.get(endpoint).data["items"]] == [str(user.pk)]
    assert owner.delete(url_for("mute-detail", community_pk=community.pk, user_id=user.pk)).status_code == 204
    assert client_for(user).get(url_for("member-me", community_pk=community.pk)).data["is_muted"] is False


def test_is_not_muted_permission_refuses_muted_members_for_writes():
    from rest_framework.views import APIView

    from members.permissions import IsNotMuted

    community = CommunityFactory()
    muted = add_member(community, muted_until=timezone.now() + timedelta(hours=1))
    speaker = add_member(community)

    class SpeakView(APIView):
        permission_classes = [IsNotMuted()]

        def post(self, request, community_id):
            self.check_object_permissions(request, Community.objects.get(pk=community_id))
            return __import__("rest_framework.response").response.Response(status=204)

    from rest_framework.test import force_authenticate

    def call(user):
        request = APIRequestFactory().post("/speak")
        force_authenticate(request, user=user)
        return SpeakView.as_view()(request, community_id=community.pk)

    assert call(speaker).status_code == 204
    refused = call(muted)
    assert (refused.status_code, refused.data["code"]) == (403, "muted")


# --- hierarchy ----------------------------------------------------------------------------------------


def test_moderator_cannot_kick_a_higher_ranked_admin():
    community = CommunityFactory()
    moderator, admin = add_member(community, role="Moderator"), add_member(community, role="Admin")
    response = client_for(moderator).delete(url_for("member-detail", community_pk=community.pk, user_id=admin.pk))
    assert (response.status_code, response.data["code"]) == (403, "hierarchy")
    assert Member.objects.get(user=admin).status == "active"


def test_moderator_cannot_kick_another_moderator():
    community = CommunityFactory()
    first, second = add_member(community, role="Moderator"), add_member(community, role="Moderator")
    endpoint = url_for("member-detail", community_pk=community.pk, user_id=second.pk)
    assert client_for(first).delete(endpoint).status_code == 403


def test_admin_cannot_grant_a_permission_it_lacks():
    community = CommunityFactory()
    admin = add_member(community, role="Admin")
    response = client_for(admin).post(
        url_for("role-list", community_pk=community.pk), {"name": "Deleter", "priority": 10,
                                                          "permissions": ["community.delete"]}
    )
    assert (response.status_code, response.data["code"]) == (403, "hierarchy")
    assert not Role.objects.filter(name="Deleter").exists()


def test_admin_cannot_create_or_assign_a_role_at_its_own_rank():
    community = CommunityFactory()
    admin, member = add_member(community, role="Admin"), add_member(community)
    api = client_for(admin)
    endpoint = url_for("role-list", community_pk=community.pk)
    assert api.post(endpoint, {"name": "Peer", "priority": 100}).status_code == 403
    admin_role = community.roles.get(name="Admin")
    response = api.patch(url_for("member-detail", community_pk=community.pk, user_id=member.pk),
                         {"role_ids": [str(admin_role.pk)]}, format="json")
    assert (response.status_code, response.data["code"]) == (403, "hierarchy")


def test_admin_can_promote_a_member_to_moderator():
    community = CommunityFactory()
    admin, member = add_member(community, role="Admin"), add_member(community)
    moderator_role = community.roles.get(name="Moderator")
    response = client_for(admin).patch(
        url_for("member-detail", community_pk=community.pk, user_id=member.pk), {"role_ids": [str(moderator_role.pk)]},
        format="json",
    )
    assert response.status_code == 200
    assert [r["name"] for r in response.data["roles"]] == ["Moderator"]
    # The new permissions apply at once: the RBAC cache was invalidated on commit.
    assert client_for(member).get(url_for("join-request-list", community_pk=community.pk)).status_code == 200


@pytest.mark.parametrize("actor", ["admin", "superadmin"])
def test_nobody_bans_kicks_mutes_or_demotes_the_owner(actor):
    community = CommunityFactory()
    api = client_for(add_member(community, role="Admin"), is_superadmin=actor == "superadmin")
    owner_id = str(community.owner_id)
    endpoint = url_for("ban-list", community_pk=community.pk)
    assert api.post(endpoint, {"user_id": owner_id}).data["code"] == "owner_protected"
    endpoint = url_for("member-detail", community_pk=community.pk, user_id=owner_id)
    assert api.delete(endpoint).data["code"] == "owner_protected"
    endpoint = url_for("mute-list", community_pk=community.pk)
    assert api.post(endpoint, {"user_id": owner_id, "duration_seconds": 60}).status_code == 403
    assert api.patch(url_for("member-detail", community_pk=community.pk, user_id=owner_id), {"role_ids": []},
                     format="json").status_code == 403
    assert Member.objects.get(community=community, is_owner=True).status == "active"


def test_unknown_permission_code_is_a_400_naming_the_field():
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("role-list", community_pk=community.pk),
                                                {"name": "X", "permissions": ["post.fly"]})
    assert response.status_code == 400
    assert "permissions" in response.data


def test_deleting_a_role_removes_it_from_members_and_the_default_role_stays():
    community = CommunityFactory()
    owner = client_for(community.owner)
    helper = owner.post(url_for("role-list", community_pk=community.pk), {"name": "Helper", "priority": 5}).data
    member = add_member(community)
    Member.objects.get(user=member).roles.add(helper["id"])
    assert owner.delete(url_for("role-detail", community_pk=community.pk, role_id=helper["id"])).status_code == 204
    assert list(Member.objects.get(user=member).roles.values_list("name", flat=True)) == ["Member"]
    default = community.roles.get(is_default=True)
    response = owner.delete(url_for("role-detail", community_pk=community.pk, role_id=default.pk))
    assert (response.status_code, response.data["code"]) == (409, "default_role")


def test_making_another_role_default_moves_the_flag():
    community = CommunityFactory()
    owner = client_for(community.owner)
    newcomer = owner.post(url_for("role-list", community_pk=community.pk),
                          {"name": "Newcomer", "priority": 0, "is_default": True}).data
    assert newcomer["is_default"] is True
    assert list(community.roles.filter(is_default=True).values_list("name", flat=True)) == ["Newcomer"]


def test_roles_list_is_cached_and_invalidated_on_change():
    community = CommunityFactory()
    owner = client_for(community.owner)
    owner.get(url_for("role-list", community_pk=community.pk))
    with CaptureQueriesContext(connection) as ctx:
        owner.get(url_for("role-list", community_pk=community.pk))
    assert not any("members_role" in q["sql"] for q in ctx.captured_queries)
    owner.post(url_for("role-list", community_pk=community.pk), {"name": "Fresh", "priority": 3})
    assert "Fresh" in [r["name"] for r in owner.get(url_for("role-list", community_pk=community.pk)).data]


# --- ownership, leaving -------------------------------------------------------------------------------


def test_owner_cannot_leave_but_can_transfer_ownership():
    community = CommunityFactory()
    successor = add_member(community, role="Admin")
    owner = client_for(community.owner)
    response = owner.delete(url_for("member-detail", community_pk=community.pk, user_id=community.owner_id))
    assert (response.status_code, response.data["code"]) == (409, "owner_cannot_leave")
    transferred = owner.post(url_for("community-transfer-ownership", community_pk=community.pk),
                             {"user_id": str(successor.pk)})
    assert transferred.status_code == 200
    assert transferred.data["owner_id"] == str(successor.pk)
    assert Member.objects.get(community=community, is_owner=True).user_id == successor.pk
    # The old owner is now an ordinary admin and may leave.
    endpoint = url_for("member-detail", community_pk=community.pk, user_id=community.owner_id)
    assert owner.delete(endpoint).status_code == 204


def test_ownership_cannot_go_to_a_non_member():
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("community-transfer-ownership", community_pk=community.pk),
                                                {"user_id": str(UserFactory().pk)})
    assert (response.status_code, "user_id" in response.data) == (409, True)


# --- isolation between communities ---------------------------------------------------------------------


def test_another_communitys_ids_do_not_work():
    mine, theirs = CommunityFactory(), CommunityFactory()
    their_member = add_member(theirs)
    their_role = theirs.roles.get(name="Member")
    owner = client_for(mine.owner)
    assert owner.delete(url_for("member-detail", community_pk=mine.pk, user_id=their_member.pk)).status_code == 404
    endpoint = url_for("role-detail", community_pk=mine.pk, role_id=their_role.pk)
    assert owner.patch(endpoint, {"name": "Hijacked"}).status_code == 404
    assert owner.delete(url_for("role-detail", community_pk=mine.pk, role_id=their_role.pk)).status_code == 404
    target = add_member(mine)
    response = owner.patch(url_for("member-detail", community_pk=mine.pk, user_id=target.pk),
                           {"role_ids": [str(their_role.pk)]}, format="json")
    # Ids in the body are 400s naming their field; 404 is for the path.
    assert (response.status_code, "role_ids" in response.data, response.data["code"]) == (400, True, "does_not_exist")
    muted = owner.post(url_for("mute-list", community_pk=mine.pk),
                       {"user_id": str(their_member.pk), "duration_seconds": 60})
    assert (muted.status_code, "user_id" in muted.data, muted.data["code"]) == (400, True, "does_not_exist")
    their_role.refresh_from_db()
    assert their_role.name == "Member"


# --- listing ----------------------------------------------------------------------------------------------


def test_member_list_filters_by_status_role_and_search():
    community = CommunityFactory(community_type="restricted")
    alice = add_member(community, nickname="Alice the Great")
    add_member(community, role="Moderator")
    add_member(community, status=MemberStatus.PENDING, role=None)
    owner = client_for(community.owner)
    assert owner.get(url_for("member-list", community_pk=community.pk)).data["total"] == 3  # active only by default
    assert owner.get(url_for("member-list", community_pk=community.pk), {"status": "pending"}).data["total"] == 1
    moderator_role = community.roles.get(name="Moderator")
    endpoint = url_for("member-list", community_pk=community.pk)
    assert owner.get(endpoint, {"role": str(moderator_role.pk)}).data["total"] == 1
    found = owner.get(url_for("member-list", community_pk=community.pk), {"search": "great"}).data["items"]
    assert [m["user_id"] for m in found] == [str(alice.pk)]
    endpoint = url_for("member-list", community_pk=community.pk)
    assert client_for(alice).get(endpoint, {"status": "pending"}).status_code == 403


def test_member_list_runs_the_same_number_of_queries_for_10_and_100_members():
    community = CommunityFactory()
    for _ in range(100):
        add_member(community)
    api = client_for(community.owner)

    def queries_for(page_size: int) -> int:
        api.get(url_for("member-list", community_pk=community.pk), {"page_size": 1})  # warm the RBAC cache
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url_for("member-list", community_pk=community.pk), {"page_size": page_size})
        assert len(response.data["items"]) == page_size
        return len(ctx.captured_queries)

    assert queries_for(10) == queries_for(100)


def _bulk_members(community: Community, count: int, *, status: str = MemberStatus.ACTIVE) -> list[Member]:
    """`count` members who joined a minute apart, oldest first (no roles: the list's order is the point)."""
    from members.models import User

    users = User.objects.bulk_create(
        [User(username=f"bulk{status}{i}", email=f"bulk{status}{i}@example.com") for i in range(count)])
    start = timezone.now() - timedelta(days=1)
    return Member.objects.bulk_create([
        Member(community=community, user=user, status=status,
               joined_at=None if status == MemberStatus.PENDING else start + timedelta(minutes=i))
        for i, user in enumerate(users)])


def test_member_list_pages_in_order_with_a_capped_total_and_no_page_limit():
    community = CommunityFactory()
    members = _bulk_members(community, 230)
    api = client_for(community.owner)
    endpoint = url_for("member-list", community_pk=community.pk)
    first = api.get(endpoint, {"page_size": 5}).data
    owner_id = str(community.owner_id)
    assert first["total"] == 231 and first["total_exact"] is True and first["pages"] == 47
    assert [m["user_id"] for m in first["items"]] == [owner_id] + [str(m.user_id) for m in members[:4]]
    # Past row 200 a page finds its ids on the index alone, then reads those rows: same order.
    deep = api.get(endpoint, {"page": 42, "page_size": 5}).data  # rows 205-209
    assert [m["user_id"] for m in deep["items"]] == [str(m.user_id) for m in members[204:209]]
    # No cursor here, so no page_too_deep: a page past the end is the usual 404.
    beyond = api.get(endpoint, {"page": 3000, "page_size": 5})
    assert beyond.status_code == 404 and beyond.data["code"] != "page_too_deep"


def test_member_list_pages_come_off_the_index_without_a_sort():
    from members.selectors.memberships import member_list

    community = CommunityFactory()
    _bulk_members(community, 20)
    _bulk_members(community, 5, status=MemberStatus.PENDING)
    for wanted in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        sql, params = member_list(community=community).filter(status=wanted)[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test-sized table would be read whole anyway
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "idx_members_list_order" in plan and "Sort" not in plan, plan


def test_permission_resolution_costs_at_most_one_query_per_request():
    from members.selectors.access import request_community_access

    community = CommunityFactory()
    user = add_member(community, role="Moderator")
    from django.core.cache import cache
    from rest_framework.request import Request

    cache.clear()
    http = APIRequestFactory().get("/")
    request = Request(http)
    request._user, request._auth = user, None
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            access = request_community_access(request, community.pk)
    assert access.has("member.kick") and not access.has("role.manage")
    assert len(ctx.captured_queries) == 1
