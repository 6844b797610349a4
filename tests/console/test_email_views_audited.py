"""Superusers see members' email addresses in the console; each look is recorded (who, whose,
where, when). Moderators never see an address, so nothing of theirs is recorded."""

import pytest
from django.urls import reverse

from members.models import EmailView, EmailViewPage
from tests.console.conftest import console_client, make_moderator
from tests.factories import CommunityFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db


def test_opening_a_users_page_records_who_saw_whose_address():
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory(email="private-person@example.com")

    response = console_client(admin).get(reverse("admin:members_user_change", args=[member.pk]))

    assert response.status_code == 200 and b"private-person@example.com" in response.content
    view = EmailView.objects.get()
    assert (view.viewer, view.subject, view.page) == (admin, member, EmailViewPage.USER_PAGE)
    assert view.viewed_at is not None


def test_the_users_list_records_every_address_on_the_page():
    admin = UserFactory(is_staff=True, is_superuser=True)
    shown = [UserFactory() for _ in range(3)]

    response = console_client(admin).get(reverse("admin:members_user_changelist"))

    assert response.status_code == 200
    seen = set(EmailView.objects.filter(viewer=admin, page=EmailViewPage.USER_LIST).values_list("subject", flat=True))
    on_page = {user.pk for user in response.context["cl"].result_list}
    assert {user.pk for user in shown} <= on_page == seen
    assert all(user.email.encode() in response.content for user in shown)


def test_a_search_records_only_the_addresses_it_shows():
    admin = UserFactory(is_staff=True, is_superuser=True)
    found = UserFactory(username="findable")
    UserFactory(username="elsewhere")

    console_client(admin).get(reverse("admin:members_user_changelist"), {"q": "findable"})

    assert list(EmailView.objects.filter(viewer=admin).values_list("subject", flat=True)) == [found.pk]


def test_a_moderator_sees_no_address_and_leaves_no_record():
    community = CommunityFactory()
    moderator = make_moderator(community)
    member = member_add(community)

    client = console_client(moderator)
    assert client.get(reverse("admin:members_user_changelist")).status_code == 200
    client.get(reverse("admin:members_user_change", args=[member.pk]))

    assert not EmailView.objects.filter(viewer=moderator).exists()


def test_superusers_read_the_record_in_the_console_and_moderators_cannot():
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory(username="looked-at")
    client = console_client(admin)
    client.get(reverse("admin:members_user_change", args=[member.pk]))

    page = client.get(reverse("admin:members_emailview_changelist"))
    assert page.status_code == 200 and b"looked-at" in page.content
    assert client.get(reverse("admin:members_emailview_add")).status_code == 403
    moderator = make_moderator(CommunityFactory())
    assert console_client(moderator).get(reverse("admin:members_emailview_changelist")).status_code == 403
