"""Changing the email address: POST /auth/email, then /auth/email/confirm with the mailed link."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from members.models import User
from members.services.auth import user_sign_out_everywhere
from tests.concurrency import run_concurrently
from tests.factories import TEST_PASSWORD, UserFactory
from tests.members.sessions import access_answer, signed_in
from tests.routes import url_for

CHANGE = url_for("auth-email")
CONFIRM = url_for("auth-email-confirm")
TOKEN = url_for("auth-token")
NEW_EMAIL = "moved@example.com"


def _ask(api: APIClient, capture, **body: str):
    with capture(execute=True):  # the mail goes from a task after commit
        return api.post(CHANGE, {"current_password": TEST_PASSWORD, "new_email": NEW_EMAIL, **body})


def _token(message) -> str:
    [token] = re.findall(r"confirm-email\?token=(\S+)", message.body)
    return token


def _login_status(email: str) -> int:
    return APIClient().post(TOKEN, {"email": email, "password": TEST_PASSWORD}).status_code


def _confirm(token: str, capture=None):
    if capture is None:
        return APIClient().post(CONFIRM, {"token": token})
    with capture(execute=True):
        return APIClient().post(CONFIRM, {"token": token})


@pytest.mark.django_db
def test_the_link_mailed_to_the_new_address_moves_the_login_there_once_and_tells_the_old_one(
        django_capture_on_commit_callbacks, settings):
    settings.EMAIL_CHANGE_URL = "https://app.example.com/confirm-email?token={token}"
    user = UserFactory()
    old_email = user.email
    api, pair = signed_in(user)
    response = _ask(api, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    [request_mail] = mail.outbox
    assert request_mail.to == [NEW_EMAIL] and "https://app.example.com/confirm-email?token=" in request_mail.body
    assert User.objects.get(pk=user.pk).email == old_email  # nothing moves before the link is opened
    confirmed = _confirm(_token(request_mail), django_capture_on_commit_callbacks)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["email"] == NEW_EMAIL and User.objects.get(pk=user.pk).email == NEW_EMAIL
    assert (_login_status(old_email), _login_status(NEW_EMAIL)) == (401, 200)
    [notice] = mail.outbox[1:]
    assert notice.to == [old_email] and NEW_EMAIL in notice.body
    assert access_answer(pair) == (200, None)  # the password is unchanged: sessions go on
    again = _confirm(_token(request_mail))
    assert (again.status_code, again.json()["code"]) == (400, "invalid_token") and "token" in again.json()


@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_and_mails_nothing(django_capture_on_commit_callbacks):
    api, _ = signed_in(UserFactory())
    response = _ask(api, django_capture_on_commit_callbacks, current_password="not-" + TEST_PASSWORD)
    assert (response.status_code, response.json()["code"]) == (400, "password_incorrect")
    assert "current_password" in response.json() and mail.outbox == []


@pytest.mark.django_db
def test_the_address_the_account_has_is_refused_in_any_case(django_capture_on_commit_callbacks):
    user = UserFactory()
    api, _ = signed_in(user)
    response = _ask(api, django_capture_on_commit_callbacks, new_email=user.email.upper())
    assert (response.status_code, response.json()["code"]) == (400, "unchanged") and "new_email" in response.json()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_address_another_account_has_is_a_409_in_any_case(django_capture_on_commit_callbacks):
    other = UserFactory()
    api, _ = signed_in(UserFactory())
    response = _ask(api, django_capture_on_commit_callbacks, new_email=other.email.upper())
    assert (response.status_code, response.json()["code"]) == (409, "unique") and "new_email" in response.json()
    assert mail.outbox == []


@pytest.mark.django_db
def test_one_mail_per_account_per_interval(django_capture_on_commit_callbacks):
    api, _ = signed_in(UserFactory())
    assert _ask(api, django_capture_on_commit_callbacks).status_code == 202
    again = _ask(api, django_capture_on_commit_callbacks, new_email="elsewhere@example.com")
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]


@pytest.mark.django_db
@pytest.mark.parametrize("spoil", ["tampered", "expired", "signed_out_since", "another_change_since"])
def test_a_link_that_is_tampered_expired_or_overtaken_is_refused_on_token(
        spoil, django_capture_on_commit_callbacks, settings):
    user = UserFactory()
    api, _ = signed_in(user)
    _ask(api, django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    if spoil == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif spoil == "expired":
        settings.EMAIL_CHANGE_TIMEOUT = -1
    elif spoil == "signed_out_since":
        user_sign_out_everywhere(user=user)
    else:
        User.objects.filter(pk=user.pk).update(email="third@example.com")
    response = _confirm(token)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_token") and "token" in response.json()
    assert User.objects.get(pk=user.pk).email != NEW_EMAIL


@pytest.mark.django_db
def test_an_address_taken_after_the_link_was_mailed_is_a_409_on_confirm(django_capture_on_commit_callbacks):
    user = UserFactory()
    api, _ = signed_in(user)
    _ask(api, django_capture_on_commit_callbacks)
    UserFactory(email=NEW_EMAIL.upper())
    response = _confirm(_token(mail.outbox[0]))
    assert (response.status_code, response.json()["code"]) == (409, "unique")
    assert User.objects.get(pk=user.pk).email == user.email


@pytest.mark.django_db
@pytest.mark.parametrize("view,body,field", [
    (CHANGE, {"new_email": NEW_EMAIL}, "current_password"),
    (CHANGE, {"current_password": TEST_PASSWORD}, "new_email"),
    (CHANGE, {"current_password": TEST_PASSWORD, "new_email": "not an address"}, "new_email"),
    (CONFIRM, {}, "token"),
    (CONFIRM, {"token": 7}, "token"),
])
def test_a_missing_or_malformed_field_is_named(view, body, field):
    api, _ = signed_in(UserFactory())
    response = api.post(view, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.mark.django_db
def test_anonymous_callers_cannot_ask_for_a_change():
    assert APIClient().post(CHANGE, {"current_password": TEST_PASSWORD, "new_email": NEW_EMAIL}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_one_link_opened_twice_at_once_moves_the_account_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    api, _ = signed_in(user)
    _ask(api, django_capture_on_commit_callbacks)
    token = _token(mail.outbox[0])
    responses = run_concurrently([lambda: _confirm(token), lambda: _confirm(token)])
    assert sorted(response.status_code for response in responses) == [200, 400]
    assert User.objects.get(pk=user.pk).email == NEW_EMAIL
