"""Serializer fields that refuse what DRF would silently coerce."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from rest_framework import serializers

# A decimal as JSON writes a number, without the exponent: -12.50, 0.5, 100.
_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


class StrictCharField(serializers.CharField):
    """A CharField for text stored in PostgreSQL, exactly as the schema describes it.

    - numbers, booleans and objects are refused instead of being str()-ed;
    - NUL characters, which PostgreSQL cannot store in text, are refused (DRF's own rule),
      and the schema says so with a pattern (community_service/api/schema.py);
    - lone UTF-16 surrogates (invalid Unicode that JSON can still carry) are refused;
    - text is kept as sent, not trimmed, unless the field asks for `trim_whitespace=True`
      (NameField); maxLength is checked on the text as sent either way, so the schema's
      maxLength means what the server checks (a trimmed length would accept text the schema
      refuses).
    """

    default_error_messages = {"invalid": "Must be a string.", "invalid_unicode": "Must be valid Unicode text."}

    def __init__(self, **kwargs: Any) -> None:
        # A field that may not be blank says so in the schema too (minLength 1).
        if not kwargs.get("allow_blank", False) and kwargs.get("min_length") is None:
            kwargs["min_length"] = 1
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if self.trim_whitespace and isinstance(data, str) and self.max_length is not None \
                and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("invalid_unicode")
        return super().to_internal_value(data)


class NameField(StrictCharField):
    """A name or title a person reads (community, channel, role, event, level, post title):
    trimmed, and refused with DRF's `blank` when nothing but whitespace was sent. The schema
    says so with a pattern that needs one non-whitespace character (community_service/api/schema.py)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = True
        super().__init__(**kwargs)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes only JSON true/false (or form "true"/"false"), not 0, 1 or "yes"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid")


class StrictDecimalField(serializers.DecimalField):
    """A DecimalField that answers the same code whichever JSON type carries the value.

    A JSON number (read exactly, community_service/api/parsers.py) and a string of the same
    digits take the same path: parsed, then DRF's `max_digits`, `max_decimal_places` and
    `max_whole_digits`, then the validators and the serializer's own rules (`min_value`...).
    A string must therefore be written as a plain decimal, as a JSON number is (an optional
    minus, no leading zeros, no exponent, no spaces): anything else, and anything that is
    neither a string nor a number (true, [], {}), is `invalid`. A shape check that also
    refused signs or long fractions would answer `invalid` for "-5.00" where -5 gets
    `min_value`.
    """

    default_error_messages = {"invalid": "A valid number is required, such as 12.50 or \"12.50\"."}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, (str, int, float, Decimal)):
            self.fail("invalid")
        if isinstance(data, str) and not _PLAIN_DECIMAL.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class UniqueListField(serializers.ListField):
    """A ListField whose items must differ; the schema says `uniqueItems: true`
    (community_service/api/schema.py)."""

    default_error_messages = {"duplicate": "An item is listed twice."}

    def to_internal_value(self, data: Any) -> list:
        items = super().to_internal_value(data)
        if len({str(item) for item in items}) != len(items):
            self.fail("duplicate")
        return items


class FullMatchRegexValidator(RegexValidator):
    """Matches the whole value. Python's `$` also matches before a final newline; the
    schema's (ECMAScript) `$` does not, so `abc\n` must fail here as it does there."""

    def __call__(self, value: Any) -> None:
        if not cast(re.Pattern[str], self.regex).fullmatch(str(value)):  # compiled by RegexValidator
            raise ValidationError(self.message, code=self.code, params={"value": value})


class StrictRegexField(StrictCharField):
    """A RegexField that, like StrictCharField, refuses non-strings instead of str()-ing them."""

    def __init__(self, regex: str, *, message: str = "Invalid format.", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(FullMatchRegexValidator(regex, message=message, code="invalid"))


def iso_datetime(value: datetime | None) -> str | None:
    """DRF's DateTimeField output with TIME_ZONE=UTC (ISO 8601, "Z" for UTC), for the plain
    functions that build hot JSON without a serializer (community_data, post_data)."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
