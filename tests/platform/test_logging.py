"""The log line formats: JSON (production, the seed's fields) and text (a terminal under make run)."""

import datetime as dt
import json
import logging

from community_service.logging import JsonFormatter

NOON = dt.datetime(2024, 1, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC).timestamp()


def _record(message: str = "Community created", **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "communities.services", "levelname": "INFO", "levelno": logging.INFO,
                                    "msg": message, **extra})
    record.created = NOON
    return record


def test_json_timestamps_are_utc_milliseconds_ending_in_z_as_the_seed_writes_them():
    entry = json.loads(JsonFormatter().format(_record()))
    assert entry["timestamp"] == "2024-01-01T12:00:00.250Z"
