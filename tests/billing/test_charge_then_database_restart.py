"""The database restarts between the provider's charge and the settling of the payment.

Found by the fault drill (`make chaos`, issue 40): the first attempt opened its donation and
payment, the provider charged, and PostgreSQL went away before the payment was settled. The
answer was a 5xx, so the Idempotency-Key was released, and the client's retry with the same
key opened a second donation and charged a second time; the first stayed pending forever.
Now the payment remembers its key and the retry resumes it: one donation, one payment. A
subscription's first payment is resumed the same way.
"""

import uuid

import psycopg
import pytest
from django.db import connection

from billing import providers
from billing.models import Donation, DonationStatus, Payment, PaymentStatus, Subscription, SubscriptionStatus
from billing.providers.sandbox import LEDGER, SandboxProvider
from community_service.api.idempotency import IdempotencyKey
from tests.billing.helpers import money_post
from tests.billing.world import build_world
from tests.factories.billing import SubscriptionLevelFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)
RESTARTS = {"left": 0}


def _terminate_our_connection() -> None:
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(host=params.get("host"), port=params.get("port"), user=params.get("user"),
                         dbname=params["dbname"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


class ChargeThenRestartProvider(SandboxProvider):
    """The sandbox bank (an outside party), after whose charge our database connection dies,
    as a PostgreSQL restart kills it."""

    def charge(self, **kwargs):
        result = super().charge(**kwargs)
        if RESTARTS["left"]:
            RESTARTS["left"] -= 1
            _terminate_our_connection()
        return result


@pytest.fixture
def restarting_provider(settings):
    settings.BILLING_PROVIDERS = {"sandbox": f"{__name__}.ChargeThenRestartProvider"}
    providers._instances.clear()
    RESTARTS["left"] = 1
    yield
    providers._instances.clear()
    connection.close()


def test_a_retry_after_the_database_restarted_past_the_charge_resumes_the_payment_not_a_second_charge(
        restarting_provider, settings):
    settings.DEBUG = False
    world = build_world()
    api = world.client("member")
    api.raise_request_exception = False
    url = url_for("donation-list", community_pk=world.community.pk)
    key = str(uuid.uuid4())
    body = {"amount": "7.00", "currency": "EUR", "message": "Under fire"}

    first = money_post(api, url, body, key=key)
    assert (first.status_code, first.json()["code"]) == (503, "database_unavailable")
    connection.close()  # the next query reconnects, as the pool does after the restart
    # The 5xx released the key (or the release itself failed on the dead connection and the
    # claim is stale): either way the retry reaches the service again.
    IdempotencyKey.objects.filter(key=key, status="in_progress").delete()

    retry = money_post(api, url, body, key=key)
    assert retry.status_code == 201
    donations = Donation.objects.filter(donor=world.users["member"], message="Under fire")
    assert donations.count() == 1
    assert donations.get().status == DonationStatus.COMPLETED
    payments = Payment.objects.filter(donation__in=donations)
    assert [p.status for p in payments] == [PaymentStatus.COMPLETED]
    assert len(LEDGER.charges) == 1  # charged under the same provider key both times: one charge


def test_a_subscription_retried_after_the_database_restarted_past_the_charge_is_one_subscription_one_charge(
        restarting_provider, settings):
    settings.DEBUG = False
    world = build_world()
    level = SubscriptionLevelFactory(community=world.community)
    api = world.client("member")
    api.raise_request_exception = False
    url = url_for("subscription-list", community_pk=world.community.pk)
    key = str(uuid.uuid4())
    body = {"level_id": str(level.pk), "payment_method": "pm_sandbox_ok"}

    assert money_post(api, url, body, key=key).status_code == 503
    connection.close()
    IdempotencyKey.objects.filter(key=key, status="in_progress").delete()

    retry = money_post(api, url, body, key=key)
    assert retry.status_code == 201, retry.json()
    subscriptions = Subscription.objects.filter(user=world.users["member"], community=world.community)
    assert [s.status for s in subscriptions] == [SubscriptionStatus.ACTIVE]
    assert [p.status for p in Payment.objects.filter(subscription__in=subscriptions)] == [PaymentStatus.COMPLETED]
    assert len(LEDGER.charges) == 1
