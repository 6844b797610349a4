from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        # Content gates posts by level ids and asks the platform registry who holds them.
        from billing.selectors.subscriptions import BillingEntitlements
        from community_service.contracts.entitlements import entitlement_source_register

        entitlement_source_register(BillingEntitlements())

        from billing import receivers
        from billing.notices import notices_register

        notices_register()
        from members.signals import account_closed, user_renamed

        user_renamed.connect(receivers.forget_summaries_naming, dispatch_uid="billing.forget_summaries_naming")
        account_closed.connect(receivers.stop_renewals_of_closed_account,
                               dispatch_uid="billing.stop_renewals_of_closed_account")
