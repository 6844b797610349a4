"""The log line formats: JSON (production, the seed's fields) and text (a terminal under make run)."""

import datetime as dt
import json
import logging

from community_service.observability.logging import JsonFormatter

NOON = dt.datetime(2024, 1, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC).timestamp()


def _record(message: str = "Community created", **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "communities.services", "levelname": "INFO", "levelno": logging.INFO,
                                    "msg": message, **extra})
    record.created = NOON
    return record


def test_json_timestamps_are_utc_milliseconds_ending_in_z_as_the_seed_writes_them():
    entry = json.loads(JsonFormatter().format(_record()))
    assert entry["timestamp"] == "2024-01-01T12:00:00.250Z"


def test_text_lines_carry_the_same_fields_for_a_terminal():
    from community_service.observability.logging import TextFormatter

    line = TextFormatter().format(_record(community_id="c-1"))
    assert line == "12:00:00 INFO    communities.services: Community created  community_id=c-1"


def test_log_format_text_switches_the_console_handler(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = ("import django, logging; django.setup(); "
              "logging.getLogger('communities.services').warning('hello', extra={'community_id': 'c-1'})")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", "LOG_FORMAT": "text"}
    done = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, check=True)
    assert done.stderr.strip().endswith("WARNING communities.services: hello  community_id=c-1")
