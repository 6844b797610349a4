"""Conversions between protobuf values and ours, shared by the servicers."""

import uuid
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from community_service.exceptions import ValidationFailed


def require_uuid(value: str, *, field: str) -> uuid.UUID:
    """A UUID from a request field, or INVALID_ARGUMENT naming the field."""
    if not value:
        raise ValidationFailed("This field is required.", field=field, code="required")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed("Must be a valid UUID.", field=field, code="invalid") from None


def timestamp(value: datetime | None) -> Timestamp | None:
    """A Timestamp, or None to leave the message field unset."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


# Any: an enum number, which each generated message types as its own enum (an int at run time).
def enum_number(enum: Any, prefix: str, value: str) -> Any:
    """Our choice value ("pending_review") as the proto enum number (PREFIX_PENDING_REVIEW)."""
    return enum.Value(f"{prefix}_{value.upper()}")


def enum_choice(enum: Any, prefix: str, number: int, *, field: str) -> str | None:
    """The proto enum number as our choice value; None for *_UNSPECIFIED (keep the default)."""
    try:
        name = enum.Name(number)
    except ValueError:
        raise ValidationFailed(f"Unknown value {number}.", field=field, code="invalid_choice") from None
    if name == f"{prefix}_UNSPECIFIED":
        return None
    return name.removeprefix(f"{prefix}_").lower()
