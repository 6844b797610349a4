"""Serializer fields that refuse what DRF would silently coerce."""

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField for text stored in PostgreSQL.

    - numbers, booleans and objects are refused instead of being str()-ed;
    - NUL characters, which PostgreSQL cannot store in text, are dropped (no one means them);
    - lone UTF-16 surrogates (invalid Unicode that JSON can still carry) are refused.
    """

    default_error_messages = {"invalid": "Must be a string.", "invalid_unicode": "Must be valid Unicode text."}

    def __init__(self, **kwargs: Any) -> None:
        # A field that may not be blank says so in the schema too (minLength 1).
        if not kwargs.get("allow_blank", False) and kwargs.get("min_length") is None:
            kwargs["min_length"] = 1
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("invalid_unicode")
        return super().to_internal_value(data.replace("\x00", ""))


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes only JSON true/false (or form "true"/"false"), not 0, 1 or "yes"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid")


class StrictRegexField(StrictCharField):
    """A RegexField that, like StrictCharField, refuses non-strings instead of str()-ing them."""

    def __init__(self, regex: str, *, message: str = "Invalid format.", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(regex, message=message, code="invalid"))
