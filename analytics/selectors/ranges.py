"""The `?from=&to=` day range every dashboard takes."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from community_service.exceptions import ValidationFailed


@dataclass(frozen=True)
class DayRange:
    since: dt.date
    until: dt.date
    is_default: bool = False

    @property
    def days(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=n) for n in range((self.until - self.since).days + 1)]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def day_range(*, since: dt.date | None, until: dt.date | None) -> DayRange:
    """Default: the last 30 days up to today. Raises ValidationFailed naming the bad bound."""
    default_days = settings.ANALYTICS_DEFAULT_DAYS
    is_default = since is None and until is None
    until = until or today()
    since = since or until - dt.timedelta(days=default_days - 1)
    if since > until:
        raise ValidationFailed("`from` must be on or before `to`.", field="from", code="invalid_range")
    if (until - since).days + 1 > settings.ANALYTICS_MAX_DAYS:
        raise ValidationFailed(
            f"The range may span at most {settings.ANALYTICS_MAX_DAYS} days.", field="from", code="range_too_long"
        )
    return DayRange(since=since, until=until, is_default=is_default)
