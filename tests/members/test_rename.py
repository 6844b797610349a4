"""PATCH /auth/me: a user changes their public handle and time zone (the only fields they may change there)."""

import pytest
from rest_framework.test import APIClient

from members.models import User
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory
from tests.routes import url_for

ME = url_for("auth-me")
TOKEN = url_for("auth-token")


@pytest.mark.django_db
def test_a_new_username_is_saved_and_shown_and_the_login_is_unchanged():
    user = UserFactory(username="old.name")
    api = client_for(user)
    response = api.patch(ME, {"username": "new-name_2"}, format="json")
    assert response.status_code == 200 and response.json()["username"] == "new-name_2"
    # The bearer's cached user row was dropped with the save: the next request sees the new name.
    assert api.get(ME).json()["username"] == "new-name_2"
    assert User.objects.get(pk=user.pk).username == "new-name_2"
    login = APIClient().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD})
    assert login.status_code == 200


@pytest.mark.django_db
def test_a_username_another_account_has_in_any_case_is_a_409_and_ones_own_in_another_case_is_fine():
    UserFactory(username="Taken")
    user = UserFactory(username="mine")
    api = client_for(user)
    response = api.patch(ME, {"username": "tAKEN"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "unique" and "username" in response.json()
    assert User.objects.get(pk=user.pk).username == "mine"
    assert api.patch(ME, {"username": "MINE"}, format="json").json()["username"] == "MINE"


@pytest.mark.django_db
@pytest.mark.parametrize("body,code", [({"username": None}, "null"), ({"username": "ab"}, "invalid"),
                                       ({"username": "with space"}, "invalid"), ({"username": 12345}, "invalid"),
                                       ({"username": "x" * 151}, "max_length")])
def test_a_missing_or_malformed_username_is_a_400_naming_it(body, code):
    user = UserFactory(username="unchanged")
    response = client_for(user).patch(ME, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == code and "username" in response.json()
    assert User.objects.get(pk=user.pk).username == "unchanged"


@pytest.mark.django_db
def test_a_patch_without_a_username_changes_nothing():
    user = UserFactory(username="steady")
    response = client_for(user).patch(ME, {}, format="json")
    assert response.status_code == 200 and response.json()["username"] == "steady"


@pytest.mark.django_db
def test_only_the_username_can_be_written_here():
    user = UserFactory(username="plain")
    body = {"username": "renamed", "email": "someone.else@example.com", "is_superadmin": True,
            "is_superuser": True, "is_staff": True, "id": "00000000-0000-0000-0000-000000000001",
            "date_joined": "2000-01-01T00:00:00Z", "password": "an-attempt-at-a-password"}
    response = client_for(user).patch(ME, body, format="json")
    assert response.status_code == 200
    after = User.objects.get(pk=user.pk)
    assert (after.username, after.email, after.is_superuser, after.is_staff) == ("renamed", user.email, False, False)
    assert after.date_joined == user.date_joined and after.check_password(TEST_PASSWORD)
    assert response.json()["is_superadmin"] is False and response.json()["email"] == user.email


@pytest.mark.django_db
def test_anonymous_callers_get_a_401():
    assert APIClient().patch(ME, {"username": "anyone"}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_two_users_taking_the_same_free_username_at_once_one_gets_it():
    clients = [client_for(UserFactory()) for _ in range(4)]
    statuses = run_concurrently([lambda api=api: api.patch(ME, {"username": "the.one"}, format="json").status_code
                                 for api in clients])
    assert sorted(statuses) == [200, 409, 409, 409]
    assert User.objects.filter(username__iexact="the.one").count() == 1


@pytest.mark.django_db
def test_a_user_sets_their_time_zone_and_a_bad_one_writes_nothing_of_the_patch():
    user = UserFactory(username="walker")
    api = client_for(user)
    assert api.get(ME).json()["time_zone"] == "UTC"
    response = api.patch(ME, {"time_zone": "Europe/Berlin"}, format="json")
    assert response.status_code == 200 and response.json()["time_zone"] == "Europe/Berlin"
    assert api.get(ME).json()["time_zone"] == "Europe/Berlin"  # the cached row went with the save
    refused = api.patch(ME, {"username": "runner", "time_zone": "Mars/Olympus"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown" and "time_zone" in refused.json()
    assert User.objects.values_list("username", "time_zone").get(pk=user.pk) == ("walker", "Europe/Berlin")
