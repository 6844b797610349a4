"""The billing services' rules, called directly with the sandbox provider (no money moves):
levels, subscribe / cancel / renew / upgrade, donations and refunds. (tests/billing/
test_*_api.py cover the same through HTTP.)"""

# Why this is long: one test per billing rule (levels, subscribe, cancel, renew, upgrade, donations,
# refunds), sharing the world fixture; split by use case it would repeat the setup in each file.

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import (
    DonationStatus,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionLevel,
    SubscriptionStatus,
)
from billing.providers.sandbox import DECLINE, LEDGER, OK, PENDING
from billing.services.donations import donation_create
from billing.services.levels import level_create, level_delete, level_update
from billing.services.payments import payment_refund
from billing.services.subscriptions import (
    subscription_cancel,
    subscription_renew,
    subscription_subscribe,
    subscription_upgrade,
)
from community_service.exceptions import Conflict, NotFound, PaymentRequired, UnknownReference, ValidationFailed
from members.selectors.access import CommunityAccess
from tests.billing.helpers import events
from tests.factories import (
    CommunityFactory,
    PaymentFactory,
    SubscriptionFactory,
    SubscriptionLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# level_create, level_update, level_delete



def _staff(community):
    """A superadmin's access: these tests are about the rules, not who may (tests/members/test_policy.py)."""
    return CommunityAccess(community_id=community.pk, is_superadmin=True)


def test_a_new_level_goes_to_the_end_of_the_order():
    community = CommunityFactory()
    SubscriptionLevelFactory(community=community, position=4)

    level = level_create(actor=_staff(community), community=community, name="Gold", price=Decimal("9.99"),
                         currency="eur", duration_days=30)

    assert (level.position, level.currency, level.is_active) == (5, "EUR", True)


def test_a_level_name_is_unique_among_the_communitys_live_levels():
    level = SubscriptionLevelFactory()

    with pytest.raises(Conflict) as refusal:
        level_create(actor=_staff(level.community), community=level.community, name=level.name,
                     price=Decimal("1.00"), currency="USD",
                     duration_days=30)

    assert (refusal.value.field, refusal.value.code) == ("name", "unique")


def test_an_archived_levels_name_is_free_again():
    archived = SubscriptionLevelFactory(archived=True)

    level = level_create(actor=_staff(archived.community), community=archived.community, name=archived.name,
                         price=Decimal("1.00"), currency="USD",
                         duration_days=30)

    assert level.pk != archived.pk


@pytest.mark.parametrize(("price", "currency", "field", "code"), [
    (Decimal("0"), "USD", "price", "min_value"),
    (Decimal("1.001"), "USD", "price", "max_decimal_places"),
    (Decimal("5.00"), "XXQ", "currency", "unknown_currency"),
])
def test_a_level_with_a_bad_price_or_currency_is_refused_naming_the_field(price, currency, field, code):
    community = CommunityFactory()

    with pytest.raises(ValidationFailed) as refusal:
        level_create(actor=_staff(community), community=community, name="Gold", price=price, currency=currency,
                     duration_days=30)

    assert (refusal.value.field, refusal.value.code) == (field, code)
    assert not SubscriptionLevel.objects.filter(community=community).exists()


def test_a_new_price_applies_to_later_payments_not_to_paid_periods():
    subscription = SubscriptionFactory()
    expires_at = subscription.expires_at

    level = level_update(actor=_staff(subscription.level.community), level=subscription.level,
                         data={"price": Decimal("8.00")})

    subscription.refresh_from_db()
    assert (level.price, subscription.expires_at) == (Decimal("8.00"), expires_at)


def test_an_archived_level_cannot_change():
    level = SubscriptionLevelFactory(archived=True)

    with pytest.raises(Conflict) as refusal:
        level_update(actor=_staff(level.community), level=level, data={"name": "Revived"})

    assert refusal.value.code == "level_archived"


def test_deleting_a_level_with_subscribers_archives_it():
    subscription = SubscriptionFactory()

    archived = level_delete(actor=_staff(subscription.level.community), level=subscription.level)

    assert archived is not None
    assert (archived.is_active, archived.archived_at is not None) == (False, True)


def test_deleting_a_level_nobody_subscribed_to_removes_it():
    level = SubscriptionLevelFactory()

    assert level_delete(actor=_staff(level.community), level=level) is None
    assert not SubscriptionLevel.objects.filter(pk=level.pk).exists()


# subscription_subscribe


def test_subscribing_pays_the_first_period_and_activates_at_once():
    level = SubscriptionLevelFactory(price=Decimal("5.00"), duration_days=30)
    user = UserFactory()

    subscription, payment = subscription_subscribe(community=level.community, user=user, level_id=level.pk,
                                                   payment_method=OK)

    assert (subscription.status, payment.status, payment.amount) == (
        SubscriptionStatus.ACTIVE, PaymentStatus.COMPLETED, Decimal("5.00"))
    assert subscription.expires_at - subscription.starts_at == timedelta(days=30)
    assert events("subscription.started", subscription_id=str(subscription.pk))


def test_a_pending_charge_leaves_the_subscription_pending():
    level = SubscriptionLevelFactory()

    subscription, payment = subscription_subscribe(community=level.community, user=UserFactory(), level_id=level.pk,
                                                   payment_method=PENDING)

    assert (subscription.status, payment.status) == (SubscriptionStatus.PENDING, PaymentStatus.PENDING)


def test_a_declined_first_payment_fails_the_subscription():
    level = SubscriptionLevelFactory()
    user = UserFactory()

    with pytest.raises(PaymentRequired) as refusal:
        subscription_subscribe(community=level.community, user=user, level_id=level.pk, payment_method=DECLINE)

    assert refusal.value.code == "payment_declined"
    assert Subscription.objects.get(user=user).status == SubscriptionStatus.FAILED


def test_one_live_subscription_per_user_and_community():
    subscription = SubscriptionFactory()
    other = SubscriptionLevelFactory(community=subscription.community)

    with pytest.raises(Conflict) as refusal:
        subscription_subscribe(community=subscription.community, user=subscription.user, level_id=other.pk,
                               payment_method=OK)

    assert refusal.value.code == "already_subscribed"
    assert LEDGER.calls == 0


def test_an_inactive_level_takes_no_new_subscribers():
    level = SubscriptionLevelFactory(inactive=True)

    with pytest.raises(Conflict) as refusal:
        subscription_subscribe(community=level.community, user=UserFactory(), level_id=level.pk, payment_method=OK)

    assert (refusal.value.field, refusal.value.code) == ("level_id", "level_inactive")


def test_a_level_of_another_community_is_an_unknown_reference():
    level = SubscriptionLevelFactory()

    with pytest.raises(UnknownReference) as refusal:
        subscription_subscribe(community=CommunityFactory(), user=UserFactory(), level_id=level.pk, payment_method=OK)

    assert refusal.value.field == "level_id"


# subscription_cancel


def test_cancelling_stops_renewal_and_keeps_access_until_expiry():
    subscription = SubscriptionFactory()

    cancelled = subscription_cancel(subscription=subscription, user=subscription.user)

    assert (cancelled.status, cancelled.expires_at, cancelled.ended_at) == (
        SubscriptionStatus.CANCELLED, subscription.expires_at, None)
    assert events("subscription.cancelled", subscription_id=str(subscription.pk))


def test_cancelling_twice_changes_nothing():
    subscription = SubscriptionFactory(cancelled=True)

    again = subscription_cancel(subscription=subscription, user=subscription.user)

    assert (again.status, again.cancelled_at) == (SubscriptionStatus.CANCELLED, subscription.cancelled_at)
    assert not events("subscription.cancelled")


def test_an_expired_subscription_cannot_be_cancelled():
    subscription = SubscriptionFactory(expired=True)

    with pytest.raises(Conflict) as refusal:
        subscription_cancel(subscription=subscription, user=subscription.user)

    assert refusal.value.code == "invalid_transition"


def test_only_the_subscriber_may_cancel():
    subscription = SubscriptionFactory()

    with pytest.raises(NotFound):
        subscription_cancel(subscription=subscription, user=UserFactory())


# subscription_renew


def test_renewing_adds_a_period_after_the_time_already_paid():
    subscription = SubscriptionFactory(days_left=10)

    renewed, payment = subscription_renew(subscription=subscription, user=subscription.user, payment_method=OK)

    assert renewed.expires_at == subscription.expires_at + timedelta(days=subscription.level.duration_days)
    assert (payment.purpose, payment.amount) == (PaymentPurpose.SUBSCRIPTION_RENEW, subscription.level.price)


def test_renewing_a_cancelled_subscription_makes_it_active_again():
    subscription = SubscriptionFactory(cancelled=True)

    renewed, _ = subscription_renew(subscription=subscription, user=subscription.user, payment_method=OK)

    assert (renewed.status, renewed.cancelled_at) == (SubscriptionStatus.ACTIVE, None)


def test_a_declined_renewal_leaves_the_subscription_as_it_was():
    subscription = SubscriptionFactory()

    with pytest.raises(PaymentRequired):
        subscription_renew(subscription=subscription, user=subscription.user, payment_method=DECLINE)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE


def test_no_renewal_while_a_payment_is_in_flight():
    subscription = SubscriptionFactory()
    PaymentFactory(for_subscription=True, subscription=subscription, pending=True,
                   purpose=PaymentPurpose.SUBSCRIPTION_RENEW)

    with pytest.raises(Conflict) as refusal:
        subscription_renew(subscription=subscription, user=subscription.user, payment_method=OK)

    assert refusal.value.code == "payment_pending"


# subscription_upgrade


def test_upgrading_pays_the_difference_less_the_unused_time_and_starts_a_new_period():
    subscription = SubscriptionFactory(level__price=Decimal("10.00"), level__duration_days=30, days_left=15)
    premium = SubscriptionLevelFactory(community=subscription.community, price=Decimal("30.00"), duration_days=30)

    upgraded, payment = subscription_upgrade(subscription=subscription, user=subscription.user, level_id=premium.pk,
                                             payment_method=OK)

    # Half the period unused: about 5.00 of credit (rounded down to the cent as time passes).
    assert Decimal("4.99") <= payment.credit <= Decimal("5.00")
    assert payment.amount == Decimal("30.00") - payment.credit
    assert upgraded.level_id == premium.pk
    assert upgraded.expires_at - upgraded.starts_at == timedelta(days=30)


@pytest.mark.parametrize(("target", "code"), [
    ({"price": Decimal("2.00")}, "not_an_upgrade"),
    ({"price": Decimal("30.00"), "currency": "EUR"}, "currency_mismatch"),
    ({"price": Decimal("30.00"), "inactive": True}, "level_inactive"),
])
def test_an_upgrade_must_go_to_a_dearer_offered_level_in_the_same_currency(target, code):
    subscription = SubscriptionFactory(level__price=Decimal("10.00"))
    level = SubscriptionLevelFactory(community=subscription.community, **target)

    with pytest.raises(Conflict) as refusal:
        subscription_upgrade(subscription=subscription, user=subscription.user, level_id=level.pk, payment_method=OK)

    assert (refusal.value.field, refusal.value.code) == ("level_id", code)
    assert LEDGER.calls == 0


def test_upgrading_to_the_current_level_is_refused():
    subscription = SubscriptionFactory()

    with pytest.raises(Conflict) as refusal:
        subscription_upgrade(subscription=subscription, user=subscription.user, level_id=subscription.level_id,
                             payment_method=OK)

    assert refusal.value.code == "same_level"


# donation_create


def test_a_donation_completes_when_the_provider_accepts():
    community = CommunityFactory()
    donor = UserFactory()

    donation = donation_create(community=community, donor=donor, amount=Decimal("12.50"), currency="usd",
                               message="Thanks!", payment_method=OK)

    assert (donation.status, donation.currency, donation.completed_at is not None) == (
        DonationStatus.COMPLETED, "USD", True)
    assert events("donation.received", donation_id=str(donation.pk), donor_id=str(donor.pk))


def test_an_anonymous_donation_names_no_donor_in_its_event():
    donation = donation_create(community=CommunityFactory(), donor=UserFactory(), amount=Decimal("3.00"),
                               currency="USD", is_anonymous=True, payment_method=OK)

    assert events("donation.received", donation_id=str(donation.pk), donor_id=None)


def test_a_declined_donation_is_kept_as_failed():
    community = CommunityFactory()

    with pytest.raises(PaymentRequired) as refusal:
        donation_create(community=community, donor=UserFactory(), amount=Decimal("5.00"), currency="USD",
                        payment_method=DECLINE)

    assert refusal.value.code == "payment_declined"
    assert refusal.value.context["donation_id"]
    assert not events("donation.received")


def test_a_donation_with_a_bad_amount_charges_nothing():
    with pytest.raises(ValidationFailed) as refusal:
        donation_create(community=CommunityFactory(), donor=UserFactory(), amount=Decimal("-1"), currency="USD",
                        payment_method=OK)

    assert (refusal.value.field, refusal.value.code) == ("amount", "min_value")
    assert LEDGER.calls == 0


# payment_refund


def test_refunding_a_donations_payment_refunds_the_donation():
    donation = donation_create(community=CommunityFactory(), donor=UserFactory(), amount=Decimal("5.00"),
                               currency="USD", payment_method=OK)
    payment = donation.payments.get()

    refunded = payment_refund(actor=_staff(payment.community), payment=payment)

    donation.refresh_from_db()
    assert (refunded.status, donation.status) == (PaymentStatus.REFUNDED, DonationStatus.REFUNDED)
    assert payment.provider_payment_id in LEDGER.refunds
    assert events("donation.refunded", donation_id=str(donation.pk))


def test_refunding_a_subscriptions_payment_ends_its_access_at_once():
    level = SubscriptionLevelFactory()
    subscription, payment = subscription_subscribe(community=level.community, user=UserFactory(), level_id=level.pk,
                                                   payment_method=OK)

    payment_refund(actor=_staff(payment.community), payment=payment)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == (SubscriptionStatus.EXPIRED, "refunded")
    assert subscription.ended_at is not None and subscription.ended_at <= timezone.now()


@pytest.mark.parametrize("state", ["pending", "failed", "refunded"])
def test_only_a_completed_payment_can_be_refunded(state):
    payment = PaymentFactory(**{state: True})

    with pytest.raises(Conflict) as refusal:
        payment_refund(actor=_staff(payment.community), payment=payment)

    assert refusal.value.code == "invalid_transition"
    assert not LEDGER.refunds
