"""Log lines: JSON with the seed's fields (production, ready for ELK/Loki), or text for a
terminal (LOG_FORMAT=text, which `make run` sets)."""

import json
import logging
from datetime import UTC, datetime

from django.conf import settings

from community_service.observability.request_context import request_id_var, user_id_var

# Attributes every LogRecord has; anything else passed via `extra=` is emitted as a field.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def log_timestamp(created: float) -> str:
    """The seed's form: UTC to the millisecond with a `Z`, e.g. 2024-01-01T12:00:00.000Z."""
    return datetime.fromtimestamp(created, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": log_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": settings.APP_NAME,
            "version": settings.APP_VERSION,
            "request_id": request_id_var.get(),
            "user_id": user_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`12:00:00 INFO  communities.services: Community created  community_id=... request_id=...`:
    the JSON line's fields, for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=UTC).strftime("%H:%M:%S")
        fields = {"request_id": request_id_var.get(), "user_id": user_id_var.get()}
        fields.update((key, value) for key, value in vars(record).items()
                      if key not in _RESERVED and not key.startswith("_"))
        extra = "  ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        line = f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}" + (f"  {extra}" if extra else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
