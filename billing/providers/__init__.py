"""Payment providers by name (settings.BILLING_PROVIDERS) and the breaker around their calls."""

from django.conf import settings
from django.utils.module_loading import import_string

from billing.providers.base import PaymentProvider
from community_service.exceptions import NotFound

_instances: dict[str, PaymentProvider] = {}


def provider_get(name: str | None = None) -> PaymentProvider:
    """The configured provider `name` (default BILLING_DEFAULT_PROVIDER). Raises NotFound."""
    name = name or settings.BILLING_DEFAULT_PROVIDER
    if name not in settings.BILLING_PROVIDERS:
        raise NotFound("No such payment provider.", code="unknown_provider")
    if name not in _instances:
        _instances[name] = import_string(settings.BILLING_PROVIDERS[name])()
    return _instances[name]
