"""The outbox relay as its own process: `outbox_relay` once a second, as beat schedules it.

Its connection is named `chaos-relay`, so the drill can see (pg_locks) when it holds the
publish lock, that is, when it is in the middle of a batch, and kill it then.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community_service.settings")
django.setup()

from django.db import connection  # noqa: E402  (after django.setup)

from community_service.outbox.services import outbox_relay  # noqa: E402


def main() -> None:
    print("relay ready", flush=True)
    while True:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET application_name = 'chaos-relay'")
            stats = outbox_relay(min_age=1.0)
            if stats.published or stats.retrying:
                print(f"published {stats.published} retrying {stats.retrying}", flush=True)
        except Exception as exc:  # the database is down: try again next second, as beat would
            print(f"relay error: {exc!r}", flush=True)
            connection.close()
        time.sleep(1)


if __name__ == "__main__":
    main()
