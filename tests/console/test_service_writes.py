"""Console writes are the API's services: each leaves the outbox events and audit rows the same
write leaves through the API, and the services' refusals reach the console as messages."""

# Why this is long: one test per console write, each checking the outbox events and audit rows the API would
# leave.

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from billing.models import SubscriptionLevel
from communities.models import AuditLogEntry, Community
from community_service.outbox.models import OutboxEvent
from content.models import Channel, Report, ReportStatus
from events.models import Event
from members.models import Member, Role, User
from tests.conftest import client_for
from tests.console.conftest import console_client, make_post, make_report
from tests.events.world import event_make, registration_make
from tests.factories import (
    ChannelFactory,
    CommunityFactory,
    RoleFactory,
    SubscriptionLevelFactory,
    UserFactory,
    member_add,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@dataclass
class Effects:
    events: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)


@contextmanager
def effects() -> Iterator[Effects]:
    """The outbox event types and audit actions the block leaves, sorted."""
    outbox_before = set(OutboxEvent.objects.values_list("pk", flat=True))
    audit_before = set(AuditLogEntry.objects.values_list("pk", flat=True))
    found = Effects()
    yield found
    found.events = sorted(OutboxEvent.objects.exclude(pk__in=outbox_before).values_list("event_type", flat=True))
    found.audit = sorted(AuditLogEntry.objects.exclude(pk__in=audit_before).values_list("action", flat=True))


def form_post(client: Client, url: str, **changes: Any) -> Any:
    """Post the admin form at `url` as a person would: what it shows, with `changes` typed over it."""
    form = client.get(url).context["adminform"].form
    values = {name: form[name].field.prepare_value(form[name].value()) for name in form.fields}
    values.update(changes)
    data: dict[str, Any] = {}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = "" if value is None else value
    return client.post(url, data)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_saved(response: Any) -> None:
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def superuser() -> User:
    return UserFactory(is_staff=True, is_superuser=True)


def api() -> Any:
    return client_for(UserFactory(), is_superadmin=True)


def admin_url(model: type, action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def same_as_api(api_write: Callable[[], Any], console_write: Callable[[], Any]) -> Effects:
    """Run both writes (each on its own object) and return their effects, asserted equal."""
    with effects() as through_api:
        response = api_write()
        assert response.status_code < 300, response.content
    with effects() as through_console:
        console_write()
    assert through_console == through_api
    return through_console


# --- channels --------------------------------------------------------------------------------


def test_a_channel_made_edited_and_deleted_in_the_console_publishes_as_the_api_does():
    community, console = CommunityFactory(), console_client(superuser())

    def console_add() -> None:
        assert_saved(form_post(console, admin_url(Channel, "add"), community=community.pk, name="news", slug="news",
                               channel_type="text", position=5))

    made = same_as_api(lambda: api().post(url_for("channel-list", community_pk=community.pk),
                                          {"name": "talk"}, format="json"), console_add)
    assert made.events == ["channel.created"]
    news, talk = Channel.objects.get(community=community, slug="news"), Channel.objects.get(slug="talk")
    edited = same_as_api(
        lambda: api().patch(url_for("channel-detail", channel_id=talk.pk), {"topic": "t"}, format="json"),
        lambda: assert_saved(form_post(console, admin_url(Channel, "change", news.pk), topic="t")))
    assert edited.events == ["channel.updated"]
    deleted = same_as_api(
        lambda: api().delete(url_for("channel-detail", channel_id=talk.pk)),
        lambda: console.post(admin_url(Channel, "delete", news.pk), {"post": "yes"}))
    assert deleted.events == ["channel.deleted"] and not Channel.objects.filter(pk=news.pk).exists()


def test_a_taken_channel_slug_is_the_services_refusal_and_changes_nothing():
    community, console = CommunityFactory(), console_client(superuser())
    ChannelFactory(community=community, name="Taken", slug="taken")
    mine = ChannelFactory(community=community, name="Mine", slug="mine")
    with effects() as found:
        response = form_post(console, admin_url(Channel, "change", mine.pk), slug="taken")
    assert response.status_code == 302 and found == Effects()
    assert any(text.startswith("slug: ") for text in messages_of(response))
    assert Channel.objects.get(pk=mine.pk).slug == "mine"


# --- roles and members -----------------------------------------------------------------------


def test_a_role_made_edited_and_deleted_in_the_console_publishes_as_the_api_does():
    community, console = CommunityFactory(), console_client(superuser())
    roles = url_for("role-list", community_pk=community.pk)

    def console_add() -> None:
        assert_saved(form_post(console, admin_url(Role, "add"), community=community.pk, name="Helpers",
                               permissions="post.create", priority=10, color=""))

    made = same_as_api(lambda: api().post(roles, {"name": "Greeters", "permissions": ["post.create"],
                                                  "priority": 10}, format="json"), console_add)
    assert made.events == ["role.created"]
    helpers, greeters = Role.objects.get(community=community, name="Helpers"), Role.objects.get(name="Greeters")
    edited = same_as_api(
        lambda: api().patch(url_for("role-detail", community_pk=community.pk, role_id=greeters.pk),
                            {"permissions": ["post.create", "member.mute"]}, format="json"),
        lambda: assert_saved(form_post(console, admin_url(Role, "change", helpers.pk),
                                       permissions="post.create,member.mute")))
    assert edited.events == ["role.updated"]
    assert Role.objects.get(pk=helpers.pk).permissions == ["post.create", "member.mute"]
    deleted = same_as_api(
        lambda: api().delete(url_for("role-detail", community_pk=community.pk, role_id=greeters.pk)),
        lambda: console.post(admin_url(Role, "delete", helpers.pk), {"post": "yes"}))
    assert deleted.events == ["role.deleted"] and not Role.objects.filter(pk=helpers.pk).exists()


def test_the_default_role_cannot_be_deleted_from_the_console_either():
    community, console = CommunityFactory(), console_client(superuser())
    default = Role.objects.get(community=community, is_default=True)
    response = console.post(admin_url(Role, "delete", default.pk), {"post": "yes"})
    assert response.status_code == 302 and Role.objects.filter(pk=default.pk).exists()
    assert "The default role cannot be deleted." in messages_of(response)


def test_roles_given_in_the_console_are_evented_and_audited_as_through_the_api():
    community, console = CommunityFactory(), console_client(superuser())
    moderator = Role.objects.get(community=community, name="Moderator")
    through_api, through_console = member_add(community), member_add(community)
    member = Member.objects.get(community=community, user=through_console)
    changed = same_as_api(
        lambda: api().patch(url_for("member-detail", community_pk=community.pk, user_id=through_api.pk),
                            {"role_ids": [str(moderator.pk)]}, format="json"),
        lambda: assert_saved(form_post(console, admin_url(Member, "change", member.pk), roles=[str(moderator.pk)])))
    assert changed == Effects(events=["member.roles_changed"], audit=["member.roles_changed"])
    assert list(member.roles.all()) == [moderator]


def test_the_member_form_offers_only_the_nickname_and_the_communitys_roles():
    community, other = CommunityFactory(), CommunityFactory()
    member = Member.objects.get(community=community, is_owner=True)
    form = console_client(superuser()).get(admin_url(Member, "change", member.pk)).context["adminform"].form
    assert set(form.fields) == {"nickname", "roles"}
    assert set(form.fields["roles"].queryset) == set(Role.objects.filter(community=community))
    assert not Role.objects.filter(community=other).filter(pk__in=form.fields["roles"].queryset).exists()


# --- communities -----------------------------------------------------------------------------


def test_a_community_edited_and_deleted_in_the_console_publishes_as_the_api_does():
    via_api, via_console = CommunityFactory(), CommunityFactory()
    console = console_client(superuser())
    edited = same_as_api(
        lambda: api().patch(url_for("community-detail", pk=via_api.pk), {"description": "new"}, format="json"),
        lambda: assert_saved(form_post(console, admin_url(Community, "change", via_console.pk), description="new")))
    assert edited.events == ["community.updated"]
    deleted = same_as_api(
        lambda: api().delete(url_for("community-detail", pk=via_api.pk)),
        lambda: console.post(admin_url(Community, "delete", via_console.pk), {"post": "yes"}))
    assert deleted.events == ["community.deleted"]
    assert Community.objects.get(pk=via_console.pk).deleted_at is not None  # soft, as the API's


# --- subscription levels ---------------------------------------------------------------------


def _level(community: Community, name: str) -> SubscriptionLevel:
    return SubscriptionLevelFactory(community=community, name=name)


def test_a_level_edited_in_the_console_is_level_updates_work():
    community, console = CommunityFactory(), console_client(superuser())
    via_api, via_console = _level(community, "Gold"), _level(community, "Silver")
    same_as_api(
        lambda: api().patch(url_for("level-detail", level_id=via_api.pk), {"price": "7.50"}, format="json"),
        lambda: assert_saved(form_post(console, admin_url(SubscriptionLevel, "change", via_console.pk),
                                       price="7.50")))
    assert str(SubscriptionLevel.objects.get(pk=via_console.pk).price) == "7.50"
    response = form_post(console, admin_url(SubscriptionLevel, "change", via_console.pk), name="Gold")
    assert "name: A level with this name already exists in the community." in messages_of(response)
    assert SubscriptionLevel.objects.get(pk=via_console.pk).name == "Silver"


def test_an_archived_level_cannot_be_changed_from_the_console():
    community, console = CommunityFactory(), console_client(superuser())
    level = _level(community, "Old")
    SubscriptionLevel.objects.filter(pk=level.pk).update(archived_at="2026-01-01T00:00:00Z", is_active=False)
    response = form_post(console, admin_url(SubscriptionLevel, "change", level.pk), description="changed")
    assert "An archived level cannot be changed." in messages_of(response)
    assert SubscriptionLevel.objects.get(pk=level.pk).description == ""


def test_a_level_deleted_in_the_console_goes_as_the_apis_delete():
    community, console = CommunityFactory(), console_client(superuser())
    via_api, via_console = _level(community, "Gold"), _level(community, "Silver")
    same_as_api(lambda: api().delete(url_for("level-detail", level_id=via_api.pk)),
                lambda: console.post(admin_url(SubscriptionLevel, "delete", via_console.pk), {"post": "yes"}))
    assert not SubscriptionLevel.objects.filter(pk__in=[via_api.pk, via_console.pk]).exists()


# --- events ----------------------------------------------------------------------------------


def test_an_event_deleted_in_the_console_is_soft_deleted_and_its_registrants_told_as_through_the_api():
    community, console = CommunityFactory(), console_client(superuser())
    via_api, via_console = event_make(community), event_make(community)
    for event in (via_api, via_console):
        registration_make(event, member_add(community))
    deleted = same_as_api(lambda: api().delete(url_for("event-detail", event_id=via_api.pk)),
                          lambda: console.post(admin_url(Event, "delete", via_console.pk), {"post": "yes"}))
    assert deleted.events == ["event.cancelled", "event.deleted"]
    assert Event.objects.get(pk=via_console.pk).deleted_at is not None


# --- accounts --------------------------------------------------------------------------------


def test_a_username_taken_in_another_case_is_refused_in_the_console_as_by_the_api():
    UserFactory(username="taken.name")
    renamed = UserFactory(username="before")
    response = client_for(renamed).patch(url_for("auth-me"), {"username": "TAKEN.name"}, format="json")
    assert response.status_code == 409
    response = form_post(console_client(superuser()), admin_url(User, "change", renamed.pk), username="TAKEN.name")
    # The form checks the database's case-insensitive constraint before user_rename would.
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert User.objects.get(pk=renamed.pk).username == "before"


def test_a_rename_in_the_console_is_user_renames():
    renamed = UserFactory(username="before")
    with effects() as found:
        assert_saved(form_post(console_client(superuser()), admin_url(User, "change", renamed.pk), username="after"))
    assert found == Effects()  # as PATCH /auth/me: no event, the caches hear user_renamed
    renamed.refresh_from_db()
    assert renamed.username == "after" and renamed.token_generation == 0


def test_an_account_made_in_the_console_is_user_registers():
    UserFactory(email="taken@example.com")
    console = console_client(superuser())
    data = {"username": "fresh", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"}
    response = console.post(admin_url(User, "add"), {**data, "email": "TAKEN@example.com"})
    assert response.status_code == 200 and "email" in str(response.context["adminform"].form.errors)
    assert not User.objects.filter(username="fresh").exists()
    assert_saved(console.post(admin_url(User, "add"), {**data, "email": "fresh@example.com"}))
    assert User.objects.get(username="fresh").check_password("a long pass phrase 42")


def test_a_superuser_demoted_in_the_console_loses_every_session():
    # Their tokens say is_superadmin: they must not outlive the demotion.
    demoted = UserFactory(is_staff=True, is_superuser=True)
    response = form_post(console_client(superuser()), admin_url(User, "change", demoted.pk), is_superuser=False)
    assert_saved(response)
    demoted.refresh_from_db()
    assert not demoted.is_superuser and demoted.token_generation == 1


def test_users_are_not_deleted_in_the_console():
    user, console = UserFactory(), console_client(superuser())
    assert console.post(admin_url(User, "delete", user.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


# --- invites and reports ---------------------------------------------------------------------


def test_an_invite_made_in_the_console_has_a_fresh_code_and_the_staff_user_as_creator():
    community, staff = CommunityFactory(), superuser()
    response = console_client(staff).post(admin_url(Community.invites.rel.related_model, "add"),
                                          {"community": community.pk, "max_uses": 3, "expires_at_0": "",
                                           "expires_at_1": ""})
    assert_saved(response)
    invite = community.invites.get()
    assert invite.created_by == staff and invite.max_uses == 3 and len(invite.code) == 22


def test_reports_closed_in_the_console_are_audited_and_evented_as_through_the_api():
    community, console = CommunityFactory(), console_client(superuser())
    via_api, via_console = (make_report(make_post(community), community) for _ in range(2))
    closed = same_as_api(
        lambda: api().post(url_for("report-resolve", report_id=via_api.pk), {}, format="json"),
        lambda: console.post(admin_url(Report, "changelist"), {"action": "resolve_reports",
                                                               "_selected_action": [via_console.pk]}))
    assert closed.audit == ["report.resolved"]
    assert Report.objects.get(pk=via_console.pk).status == ReportStatus.RESOLVED


def test_no_one_adds_edits_or_deletes_a_report_in_the_console(world):
    report = make_report(make_post(world.a), world.a)
    for client in (world.client, console_client(superuser())):
        assert client.get(admin_url(Report, "add")).status_code == 403
        assert client.post(admin_url(Report, "delete", report.pk), {"post": "yes"}).status_code == 403
        page = client.get(admin_url(Report, "change", report.pk))
        assert page.status_code == 200 and not page.context["has_change_permission"]
    assert b"addlink" not in world.client.get(admin_url(Report, "changelist")).content


# --- what the policy refuses -----------------------------------------------------------------


def test_a_moderator_without_post_delete_is_refused_removing_reported_content(world):
    reviewer = RoleFactory(community=world.a, name="Reviewer", permissions=["report.review"], priority=40)
    Member.objects.get(community=world.a, user=world.moderator).roles.set([reviewer])
    post = make_post(world.a)
    report = make_report(post, world.a)
    with effects() as found:
        response = world.client.post(admin_url(Report, "changelist"), {"action": "remove_reported",
                                                                      "_selected_action": [report.pk],
                                                                      "confirmed": "yes"})
    assert found == Effects()
    assert any("post.delete" in text for text in messages_of(response))
    post.refresh_from_db()
    assert post.deleted_at is None and Report.objects.get(pk=report.pk).status == ReportStatus.OPEN


def test_a_moderator_without_member_ban_is_refused_a_ban(world):
    muter = RoleFactory(community=world.a, name="Muter", permissions=["member.mute"], priority=40)
    Member.objects.get(community=world.a, user=world.moderator).roles.set([muter])
    target = Member.objects.get(community=world.a, user=member_add(world.a))
    with effects() as found:
        response = world.client.post(admin_url(Member, "changelist"), {
            "action": "ban_members", "_selected_action": [target.pk], "apply": "1", "duration": "", "reason": "x"})
    assert found == Effects()
    assert any("member.ban" in text for text in messages_of(response))
    assert Member.objects.get(pk=target.pk).status == "active"
