"""Ending a user's sessions refuses their access tokens at once (User.token_generation), on
every path that reads a bearer token, and the console ends them as the API does."""

import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import RefreshToken

from members.models import User
from members.services.auth import user_sign_out_everywhere
from tests.console.conftest import console_client
from tests.factories import TEST_PASSWORD, CommunityFactory, UserFactory
from tests.members.sessions import access_answer, login_status, refresh_status, signed_in
from tests.routes import url_for

pytestmark = pytest.mark.django_db
REVOKED = (401, "token_revoked")
NEW_PASSWORD = "a-console-chosen-secret"


def test_a_revoked_token_is_refused_by_every_reader_of_bearer_tokens_not_served_as_anonymous():
    user = UserFactory()
    community = CommunityFactory()  # public: an anonymous caller may read it
    _, pair = signed_in(user)
    detail = url_for("community-detail", pk=community.pk)  # answered before DRF (members/fast_reads.py)
    listing = url_for("community-list")
    assert (access_answer(pair, detail), access_answer(pair, listing)) == ((200, None),) * 2
    user_sign_out_everywhere(user=user)
    assert (access_answer(pair, detail), access_answer(pair, listing)) == (REVOKED, REVOKED)


def test_tokens_minted_before_the_generation_claim_count_as_generation_zero():
    user = UserFactory()
    old = RefreshToken.for_user(user)  # no `gen` claim, as tokens issued before it existed
    pair = {"access": str(old.access_token), "refresh": str(old)}
    assert access_answer(pair) == (200, None)
    user_sign_out_everywhere(user=user)
    assert access_answer(pair) == REVOKED and refresh_status(pair) == 401


def test_a_new_login_after_the_sign_out_works():
    user = UserFactory()
    user_sign_out_everywhere(user=user)
    _, pair = signed_in(user)
    assert access_answer(pair) == (200, None) and refresh_status(pair) == 200


def _superuser_console():
    return console_client(UserFactory(is_staff=True, is_superuser=True))


def test_a_password_set_in_the_console_ends_every_session_of_the_user_and_tells_them(
        django_capture_on_commit_callbacks):
    user = UserFactory()
    _, pair = signed_in(user)
    # Django's UserAdmin names this route auth_user_password_change whatever the user model.
    with django_capture_on_commit_callbacks(execute=True):
        response = _superuser_console().post(
            url_for("admin:auth_user_password_change", id=user.pk),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert [(sent.to, sent.subject) for sent in mail.outbox] == [([user.email], "Your password was changed")]
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert (login_status(user, TEST_PASSWORD), login_status(user, NEW_PASSWORD)) == (401, 200)
    assert access_answer(pair) == REVOKED and refresh_status(pair) == 401


def test_the_console_action_signs_the_selected_users_out_and_no_one_else():
    user, other = UserFactory(), UserFactory()
    (_, mine), (_, theirs) = signed_in(user), signed_in(other)
    response = _superuser_console().post(url_for("admin:members_user_changelist"), {
        "action": "sign_out_everywhere", "_selected_action": [str(user.pk)]})
    assert response.status_code == 302
    assert access_answer(mine) == REVOKED and refresh_status(mine) == 401
    assert access_answer(theirs) == (200, None)
    assert login_status(user, TEST_PASSWORD) == 200  # the password is unchanged


def test_a_console_edit_writes_only_the_fields_it_changed():
    # A whole-row save would write back the token generation it read, reviving tokens that a
    # sign-out committed meanwhile ended.
    user = UserFactory()
    page = url_for("admin:members_user_change", object_id=user.pk)
    console = _superuser_console()
    form = console.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_staff="on", groups=[])
    with CaptureQueriesContext(connection) as queries:
        response = console.post(page, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    [update] = [query["sql"] for query in queries if query["sql"].startswith('UPDATE "members_user"')]
    assert '"is_staff"' in update and '"token_generation"' not in update and '"password"' not in update
    assert User.objects.get(pk=user.pk).is_staff


@pytest.mark.django_db(transaction=True)
def test_a_reader_that_read_the_row_before_a_sign_out_cannot_cache_it_after(monkeypatch):
    # The interleaving forced: a bearer request reads the user row (generation 0), the
    # sign-out commits (generation 1) meanwhile, then the request stores what it read. Were
    # that stale copy cached, revoked tokens would pass until CACHE_DEFAULT_TTL.
    from members.selectors import users

    user = UserFactory()
    _, pair = signed_in(user)
    read, stored = threading.Event(), threading.Event()
    row = users._user_row

    def row_then_wait(user_id):
        found = row(user_id)
        if threading.current_thread() is not threading.main_thread():  # only the paused reader
            read.set()
            assert stored.wait(10)
        return found

    monkeypatch.setattr(users, "_user_row", row_then_wait)
    cache.delete(users.user_cache_key(user.pk))
    reader = threading.Thread(target=lambda: (users.user_for_token(user.pk), connection.close()))
    reader.start()
    assert read.wait(10)
    user_sign_out_everywhere(user=user)  # commits; its post-commit step stores the new row
    stored.set()
    reader.join(10)
    assert cache.get(users.user_cache_key(user.pk)).token_generation == 1
    assert access_answer(pair) == REVOKED
