"""JSON log lines with the seed's fields, ready for ELK/Loki."""

import json
import logging
from datetime import UTC, datetime

from django.conf import settings

from community_service.request_context import request_id_var, user_id_var

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
