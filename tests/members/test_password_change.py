"""POST /auth/password: a new password, every session signed out, a new pair for this client."""

import pytest
from rest_framework.test import APIClient

from members.models import User
from tests.concurrency import run_concurrently
from tests.factories import TEST_PASSWORD, UserFactory
from tests.members.sessions import REFRESH, TOKEN, access_answer, login_status, refresh_status, signed_in
from tests.routes import url_for

PASSWORD = url_for("auth-password")
ME = url_for("auth-me")
NEW_PASSWORD = "a-new-and-longer-secret"


@pytest.mark.django_db
def test_a_new_password_signs_out_every_session_and_gives_this_client_a_new_pair():
    user = UserFactory()
    api, phone = signed_in(user)
    _, laptop = signed_in(user)
    response = api.post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200, response.content
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert (login_status(user, TEST_PASSWORD), login_status(user, NEW_PASSWORD)) == (401, 200)
    # Both earlier sessions can mint no more access tokens; the new pair can.
    assert (refresh_status(phone), refresh_status(laptop), refresh_status(pair)) == (401, 401, 200)
    # Their access tokens are refused at once, this client's old one too.
    assert (access_answer(phone), access_answer(laptop)) == ((401, "token_revoked"),) * 2
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert fresh.get(ME).json()["id"] == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing_and_revokes_nothing():
    user = UserFactory()
    api, pair = signed_in(user)
    response = api.post(PASSWORD, {"current_password": "not-" + TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == "password_incorrect" and "current_password" in response.json()
    assert login_status(user, TEST_PASSWORD) == 200 and refresh_status(pair) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("new_password,code", [
    ("password123", "password_too_common"),
    ("{username}-x", "password_too_similar"),
    ("1234567890123", "password_entirely_numeric"),
    ("short", "min_length"),
])
def test_a_weak_new_password_is_refused_on_new_password(new_password, code):
    user = UserFactory(username="marguerite.fontaine")
    api, pair = signed_in(user)
    response = api.post(PASSWORD, {"current_password": TEST_PASSWORD,
                                   "new_password": new_password.format(username=user.username)})
    assert response.status_code == 400 and response.json()["code"] == code and "new_password" in response.json()
    assert login_status(user, TEST_PASSWORD) == 200 and refresh_status(pair) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body,field", [({"new_password": NEW_PASSWORD}, "current_password"),
                                        ({"current_password": TEST_PASSWORD}, "new_password"),
                                        ({"current_password": 12345678, "new_password": NEW_PASSWORD},
                                         "current_password")])
def test_a_missing_or_malformed_field_is_named(body, field):
    api, _ = signed_in(UserFactory())
    response = api.post(PASSWORD, body, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_anonymous_callers_get_a_401():
    response = APIClient().post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 401


@pytest.mark.django_db
def test_wrong_current_passwords_spend_the_accounts_login_budget(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory()
    api, _ = signed_in(user)
    wrong = {"current_password": "guess", "new_password": NEW_PASSWORD}
    assert [api.post(PASSWORD, wrong).status_code for _ in range(3)] == [400, 400, 400]
    # The budget is the account's: the password form and the login form are both closed now.
    right = api.post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    assert login_status(user, TEST_PASSWORD) == 429
    assert User.objects.get(pk=user.pk).check_password(TEST_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_of_two_changes_sent_at_once_with_the_same_current_password_one_wins():
    user = UserFactory()
    clients = [signed_in(user)[0] for _ in range(2)]
    bodies = [{"current_password": TEST_PASSWORD, "new_password": f"{NEW_PASSWORD}-{i}"} for i in range(2)]
    responses = run_concurrently([lambda api=api, body=body: api.post(PASSWORD, body)
                                  for api, body in zip(clients, bodies, strict=True)])
    assert sorted(response.status_code for response in responses) == [200, 400]
    [won] = [i for i, response in enumerate(responses) if response.status_code == 200]
    assert responses[1 - won].json()["code"] == "password_incorrect"
    assert login_status(user, bodies[won]["new_password"]) == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("racer", ["refresh", "login with the old password"])
def test_no_token_minted_while_the_password_changes_survives_the_change(racer):
    # A stolen refresh token (or the old password) used at the moment the owner changes the
    # password: each racer either comes first, and the change revokes what it minted, or after,
    # and is refused. Both lock the user row as the change does.
    user = UserFactory()
    api, _ = signed_in(user)
    pairs = [signed_in(user)[1] for _ in range(6)]

    def race(pair: dict):
        if racer == "refresh":
            return APIClient().post(REFRESH, {"refresh": pair["refresh"]})
        return APIClient().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD})

    change = lambda: api.post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})  # noqa: E731
    responses = run_concurrently([change, *[lambda pair=pair: race(pair) for pair in pairs]])
    assert responses[0].status_code == 200, responses[0].content
    assert {response.status_code for response in responses[1:]} <= {200, 401}
    minted = [response.json() for response in responses[1:] if response.status_code == 200]
    assert [refresh_status(pair) for pair in minted] == [401] * len(minted)
    assert refresh_status(responses[0].json()) == 200


@pytest.mark.django_db
def test_the_accounts_address_is_told_of_a_change_and_of_no_refused_one(django_capture_on_commit_callbacks):
    from django.core import mail

    user = UserFactory()
    api, _ = signed_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(PASSWORD, {"current_password": "not-" + TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}).status_code == 200
    [notice] = mail.outbox
    assert (notice.to, notice.subject) == ([user.email], "Your password was changed")
    assert NEW_PASSWORD not in notice.body and "signed out" in notice.body
