"""POST /auth/logout-all: every refresh token of the caller revoked (log out of all devices)."""

import pytest
from rest_framework.test import APIClient

from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.members.sessions import REFRESH, access_answer, refresh_status, signed_in
from tests.routes import url_for

LOGOUT_ALL = url_for("auth-logout-all")


@pytest.mark.django_db
def test_every_session_of_the_caller_and_only_theirs_can_refresh_no_more():
    user, other = UserFactory(), UserFactory()
    api, here = signed_in(user)
    _, there = signed_in(user)
    _, theirs = signed_in(other)
    assert access_answer(here) == (200, None)  # the user row is now cached for bearer reads
    assert api.post(LOGOUT_ALL).status_code == 204
    assert (refresh_status(here), refresh_status(there), refresh_status(theirs)) == (401, 401, 200)
    # Access tokens already issued are refused too, not left to live out their minutes.
    assert (access_answer(here), access_answer(there)) == ((401, "token_revoked"),) * 2
    assert access_answer(theirs) == (200, None)
    # The password still works: a new login starts a new session.
    assert refresh_status(signed_in(user)[1]) == 200


@pytest.mark.django_db
def test_anonymous_callers_get_a_401():
    assert APIClient().post(LOGOUT_ALL).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_no_token_refreshed_meanwhile_survives():
    user = UserFactory()
    api, _ = signed_in(user)
    pairs = [signed_in(user)[1] for _ in range(6)]
    responses = run_concurrently([lambda: api.post(LOGOUT_ALL),
                                  *[lambda pair=pair: APIClient().post(REFRESH, {"refresh": pair["refresh"]})
                                    for pair in pairs]])
    assert responses[0].status_code == 204
    assert {response.status_code for response in responses[1:]} <= {200, 401}
    minted = [response.json() for response in responses[1:] if response.status_code == 200]
    assert [refresh_status(pair) for pair in minted] == [401] * len(minted)
