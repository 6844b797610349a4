"""Print domain events as JSON lines: the debugging tool and the reference consumer."""

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community_service.outbox.consumers import BrokerUnreachable, kafka_envelopes, kafka_topics, rabbitmq_envelopes


class Command(BaseCommand):
    help = "Follow the event topics (Kafka) or exchange (RabbitMQ) and print each event once, as JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--broker", choices=["kafka", "rabbitmq"], default=None,
                            help="Default: EVENT_BROKER_TYPE.")
        parser.add_argument("--topic", action="append", dest="topics",
                            help="Kafka topic (repeatable). Default: every aggregate's topic.")
        parser.add_argument("--routing-key", default="#", help="RabbitMQ binding, e.g. 'community.*'.")
        parser.add_argument("--from-beginning", action="store_true",
                            help="Kafka: read what the topics retain, then follow. (RabbitMQ keeps no history.)")
        parser.add_argument("--max-messages", type=int, default=0, help="Stop after this many distinct events.")
        parser.add_argument("--timeout", type=float, default=0,
                            help="Stop after this many seconds without a message (0: follow forever).")

    def handle(self, *args: Any, **options: Any) -> None:
        broker = options["broker"] or settings.EVENT_BROKER_TYPE
        idle = options["timeout"] or None
        if broker == "kafka":
            envelopes = kafka_envelopes(
                bootstrap_servers=settings.KAFKA_BOOTSTRAP_SERVERS,
                topics=options["topics"] or kafka_topics(settings.KAFKA_TOPIC_PREFIX),
                from_beginning=options["from_beginning"],
                idle_timeout=idle,
            )
        elif broker == "rabbitmq":
            envelopes = rabbitmq_envelopes(
                url=settings.RABBITMQ_URL, exchange=settings.RABBITMQ_EXCHANGE,
                routing_key=options["routing_key"], idle_timeout=idle,
            )
        else:
            raise CommandError("EVENT_BROKER_TYPE is 'log': events are in the log. Pass --broker kafka|rabbitmq.")
        seen: set[Any] = set()
        try:
            for envelope in envelopes:
                # At-least-once delivery: the same event_id may arrive twice; handle it once.
                if envelope.get("event_id") in seen:
                    continue
                seen.add(envelope.get("event_id"))
                self.stdout.write(json.dumps(envelope, ensure_ascii=False))
                self.stdout.flush()
                if options["max_messages"] and len(seen) >= options["max_messages"]:
                    break
        except BrokerUnreachable as exc:
            # An operator's mistake (no broker, wrong URL), not a bug: one line, no traceback.
            raise CommandError(f"Cannot reach {exc}.") from exc
        finally:
            envelopes.close()
