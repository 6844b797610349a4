"""Password reset by email: POST /auth/password-reset, then /auth/password-reset/confirm."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from tests.members.sessions import access_answer, login_status
from tests.routes import url_for

pytestmark = pytest.mark.django_db
RESET = url_for("auth-password-reset")
CONFIRM = url_for("auth-password-reset-confirm")
TOKEN = url_for("auth-token")
REFRESH = url_for("auth-token-refresh")
NEW_PASSWORD = "a-fresh-and-long-secret"
ACCEPTED = {"detail": "If an account has this address, a reset link is on its way."}


def _request(email: str, capture) -> object:
    with capture(execute=True):  # the mail goes from a task after commit
        return APIClient().post(RESET, {"email": email})


def _link(message) -> dict[str, str]:
    [(uid, token)] = re.findall(r"reset-password\?uid=([\w-]+)&token=([\w-]+)", message.body)
    return {"uid": uid, "token": token}


def test_the_mailed_link_sets_a_new_password_once_and_signs_out_every_other_session(
        django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_RESET_URL = "https://app.example.com/reset-password?uid={uid}&token={token}"
    user = UserFactory()
    old_session = APIClient().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}).json()
    response = _request(user.email.upper(), django_capture_on_commit_callbacks)  # any case
    assert (response.status_code, response.json()) == (202, ACCEPTED)
    [message] = mail.outbox
    assert message.to == [user.email] and "https://app.example.com/reset-password?uid=" in message.body
    link = _link(message)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = APIClient().post(CONFIRM, {**link, "new_password": NEW_PASSWORD})
    assert confirmed.status_code == 200, confirmed.content
    assert [(sent.to, sent.subject) for sent in mail.outbox[1:]] == [([user.email], "Your password was changed")]
    assert (login_status(user, TEST_PASSWORD), login_status(user, NEW_PASSWORD)) == (401, 200)
    assert APIClient().post(REFRESH, {"refresh": old_session["refresh"]}).status_code == 401
    assert access_answer(old_session) == (401, "token_revoked")
    assert APIClient().post(REFRESH, {"refresh": confirmed.json()["refresh"]}).status_code == 200
    again = APIClient().post(CONFIRM, {**link, "new_password": "yet-another-long-secret"})
    assert again.status_code == 400 and again.json()["code"] == "invalid_token" and "token" in again.json()


@pytest.mark.parametrize("who", ["nobody", "inactive"])
def test_an_address_without_an_active_account_gets_the_same_answer_and_no_mail(who, django_capture_on_commit_callbacks):
    email = "nobody@example.com" if who == "nobody" else UserFactory(is_active=False).email
    response = _request(email, django_capture_on_commit_callbacks)
    assert (response.status_code, response.json()) == (202, ACCEPTED)
    assert mail.outbox == []


def test_one_mail_per_account_per_interval_however_often_it_is_asked(django_capture_on_commit_callbacks):
    user = UserFactory()
    statuses = [_request(user.email, django_capture_on_commit_callbacks).status_code for _ in range(3)]
    assert statuses == [202, 202, 202] and len(mail.outbox) == 1


@pytest.mark.parametrize("spoil", ["token", "uid", "another account's uid", "expired", "logged in since"])
def test_a_link_that_is_wrong_expired_or_void_is_refused_on_token(spoil, django_capture_on_commit_callbacks, settings):
    user, other = UserFactory(), UserFactory()
    _request(user.email, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    if spoil == "token":
        link["token"] = link["token"][:-2] + "zz"
    elif spoil == "uid":
        link["uid"] = "not-base64-!"
    elif spoil == "another account's uid":
        _request(other.email, django_capture_on_commit_callbacks)
        link["uid"] = _link(mail.outbox[1])["uid"]
    elif spoil == "expired":
        settings.PASSWORD_RESET_TIMEOUT = -1
    else:  # any login voids the links mailed before it
        assert login_status(user, TEST_PASSWORD) == 200
    response = APIClient().post(CONFIRM, {**link, "new_password": NEW_PASSWORD})
    assert response.status_code == 400 and response.json()["code"] == "invalid_token" and "token" in response.json()
    assert login_status(user, TEST_PASSWORD) == 200 and login_status(other, NEW_PASSWORD) == 401


def test_a_weak_new_password_is_refused_on_new_password_and_the_link_still_works(django_capture_on_commit_callbacks):
    user = UserFactory(email="marguerite.fontaine@example.com")
    _request(user.email, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    weak = APIClient().post(CONFIRM, {**link, "new_password": "marguerite.fontaine"})
    assert weak.status_code == 400 and weak.json()["code"] == "password_too_similar" and "new_password" in weak.json()
    assert APIClient().post(CONFIRM, {**link, "new_password": NEW_PASSWORD}).status_code == 200


@pytest.mark.parametrize("view,body,field", [
    (RESET, {}, "email"), (RESET, {"email": "not an address"}, "email"),
    (CONFIRM, {"token": "x", "new_password": NEW_PASSWORD}, "uid"),
    (CONFIRM, {"uid": "x", "token": "x", "new_password": "short"}, "new_password"),
])
def test_a_missing_or_malformed_field_is_named(view, body, field):
    response = APIClient().post(view, body, format="json")
    assert response.status_code == 400 and field in response.json()
