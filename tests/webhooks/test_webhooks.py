"""Outbound webhooks end to end: an event of a community reaches a real HTTP listener on
loopback, signed as Standard Webhooks says (verified by the `standardwebhooks` library);
retries after a 500 and after a timeout, redelivery, the SSRF refusals, the payload filter,
secret rotation, the per-endpoint limit and auto-disable."""

# Why this is long: one test per promise of docs/api.md, "Integrations".

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from community_service.outbox.subscribers import subscriber_dispatch
from community_service.webhooks.delivery import SUBSCRIBER_NAME, deliveries_due, delivery_attempt
from community_service.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from tests.conftest import client_for
from tests.factories import (
    CommunityFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    member_add,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


class Listener:
    """A real HTTP server on a loopback port: records each request and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, float, dict]] = []  # (status, delay, headers), consumed in order
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                listener.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                status, delay, headers = listener.answers.pop(0) if listener.answers else (200, 0.0, {})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/community"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def register(community, url: str, **fields) -> dict:
    subscriber_dispatch(SUBSCRIBER_NAME)  # what happened before the endpoint existed is not for it
    response = client_for(community.owner).post(url_for("webhook-list", community_pk=community.pk),
                                                {"url": url, **fields})
    assert response.status_code == 201, response.data
    return response.data


def rename(community, name: str = "Renamed") -> None:
    response = client_for(community.owner).patch(url_for("community-detail", pk=community.pk), {"name": name})
    assert response.status_code == 200, response.data


def send_all() -> list[WebhookDelivery]:
    """What the after-commit path and the Celery worker do: dispatch the outbox, attempt what is due."""
    subscriber_dispatch(SUBSCRIBER_NAME)
    for delivery_id in deliveries_due():
        delivery_attempt(delivery_id)
    return list(WebhookDelivery.objects.order_by("created_at"))


def verify(secret: str, request: dict) -> dict:
    headers = {name.lower(): value for name, value in request["headers"].items()}
    return Webhook(secret).verify(request["body"], headers)


def test_an_event_reaches_a_real_listener_signed_as_standard_webhooks_say(listener):
    community = CommunityFactory()
    endpoint = register(community, listener.url, event_types=["community.updated"])

    rename(community)
    (delivery,) = send_all()

    assert endpoint["secret"].startswith("whsec_")
    (request,) = listener.requests
    envelope = verify(endpoint["secret"], request)
    assert envelope["event_type"] == "community.updated"
    assert envelope["payload"]["community_id"] == str(community.pk)
    assert request["headers"]["webhook-id"] == f"msg_{delivery.pk.hex}"
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    with pytest.raises(WebhookVerificationError):
        verify("whsec_" + "A" * 43 + "=", request)
    listed = client_for(community.owner).get(url_for("webhook-list", community_pk=community.pk))
    assert "secret" not in listed.data["items"][0]


def test_an_endpoint_gets_only_the_types_it_wants(listener):
    community = CommunityFactory()
    register(community, listener.url, event_types=["member.joined"])

    rename(community)
    send_all()

    assert listener.requests == []


def test_a_500_is_retried_later_with_backoff_and_the_log_keeps_both(listener):
    community = CommunityFactory()
    endpoint = register(community, listener.url)
    listener.answers = [(500, 0.0, {})]

    rename(community)
    (delivery,) = send_all()
    wait = delivery.next_attempt_at - timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    (delivery,) = send_all()
    log = client_for(community.owner).get(url_for("webhook-deliveries", community_pk=community.pk,
                                                  endpoint_id=endpoint["id"]))

    assert timedelta(seconds=7) < wait < timedelta(seconds=13)  # 10 s +- 20% jitter
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED and delivery.attempts == 2
    assert [request["headers"]["webhook-id"] for request in listener.requests] == [f"msg_{delivery.pk.hex}"] * 2
    (item,) = log.data["items"]
    assert [(attempt["succeeded"], attempt["status_code"]) for attempt in item["log"]] == [(True, 200), (False, 500)]
    assert item["log"][0]["response_excerpt"] == '{"ok": true}'


def test_a_timeout_is_retried(listener, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    community = CommunityFactory()
    register(community, listener.url)
    listener.answers = [(200, 1.0, {})]

    rename(community)
    (delivery,) = send_all()
    attempt = delivery.log.get()

    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.next_attempt_at > timezone.now()
    assert not attempt.succeeded and "timed out" in attempt.error
    assert attempt.latency_ms < 1000


def test_retries_give_up_after_the_last_attempt(listener, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=listener.url))
    listener.answers = [(500, 0.0, {}), (503, 0.0, {})]

    delivery_attempt(str(delivery.pk))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_attempt(str(delivery.pk))
    delivery.refresh_from_db()

    assert delivery.status == WebhookDeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert deliveries_due() == []


def test_a_delivery_is_redelivered_on_request(listener, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    endpoint = register(community, listener.url)
    rename(community)
    (delivery,) = send_all()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(community.owner).post(url_for(
            "webhook-redeliver", community_pk=community.pk, endpoint_id=endpoint["id"], delivery_id=delivery.pk))

    assert response.status_code == 202, response.data
    assert len(listener.requests) == 2
    assert listener.requests[1]["headers"]["webhook-id"] == listener.requests[0]["headers"]["webhook-id"]
    assert delivery.log.count() == 2


def test_redirects_are_not_followed(listener):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=listener.url))
    listener.answers = [(302, 0.0, {"Location": "http://169.254.169.254/latest/meta-data/"})]

    attempt = delivery_attempt(str(delivery.pk))

    assert not attempt.succeeded and attempt.status_code == 302 and "redirects" in attempt.error
    assert len(listener.requests) == 1


# --- No SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "allow_http", "why"), [
    ("http://example.com/hook", False, "https"),
    ("ftp://example.com/hook", True, "https"),
    ("https://127.0.0.1/hook", False, "127.0.0.1"),
    ("https://localhost/hook", False, "resolves to"),
    ("https://[::1]/hook", False, "::1"),
    ("https://10.1.2.3/hook", False, "10.1.2.3"),
    ("https://192.168.0.10/hook", False, "192.168.0.10"),
    ("https://169.254.169.254/latest/meta-data/", False, "169.254.169.254"),
    ("https://[fd00:ec2::254]/", False, "fd00:ec2::254"),
    ("https://user:pw@example.com/hook", False, "credentials"),
    ("not a url", False, "https"),
    ("https://[::1/hook", False, "parsed"),
    ("https://" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com/", False, "resolve"),
])
def test_unsafe_urls_are_refused_at_registration(settings, url, allow_http, why):
    settings.WEBHOOK_ALLOW_HTTP = allow_http
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    community = CommunityFactory()

    response = client_for(community.owner).post(url_for("webhook-list", community_pk=community.pk), {"url": url})

    assert response.status_code == 400
    assert response.data["code"] == "unsafe_url"  # one documented refusal for every way a URL is unsafe
    assert why in str(response.data["url"])
    assert not WebhookEndpoint.objects.exists()


def test_an_address_refused_since_registration_is_refused_at_delivery(listener, settings):
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=listener.url))
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # as when the name now resolves somewhere private

    attempt = delivery_attempt(str(delivery.pk))

    assert not attempt.succeeded and attempt.error.startswith("refused:")
    assert listener.requests == []


# --- What goes out -----------------------------------------------------------------------------


def test_moderators_knowledge_never_goes_out(listener):
    community = CommunityFactory()
    endpoint = register(community, listener.url, event_types=["member.banned", "post.created"])
    target = member_add(community)
    banned = client_for(community.owner).post(url_for("ban-list", community_pk=community.pk),
                                              {"user_id": str(target.pk), "reason": "private moderator note"})
    posted = client_for(community.owner).post(url_for("post-list", community_pk=community.pk),
                                              {"title": "Gated", "content": "the secret body"})

    send_all()

    assert banned.status_code == 201 and posted.status_code == 201
    bodies = [verify(endpoint["secret"], request) for request in listener.requests]
    assert {body["event_type"] for body in bodies} == {"member.banned", "post.created"}
    assert all("private moderator note" not in json.dumps(body) for body in bodies)
    assert all("the secret body" not in json.dumps(body) for body in bodies)


def test_after_a_rotation_both_secrets_verify_for_the_overlap(listener):
    community = CommunityFactory()
    endpoint = register(community, listener.url)
    rotated = client_for(community.owner).post(url_for("webhook-rotate-secret", community_pk=community.pk,
                                                       endpoint_id=endpoint["id"]))

    rename(community)
    send_all()

    assert rotated.status_code == 200 and rotated.data["secret"] != endpoint["secret"]
    (request,) = listener.requests
    assert verify(endpoint["secret"], request)["event_type"] == "community.updated"
    assert verify(rotated.data["secret"], request)["event_type"] == "community.updated"
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(previous_secret_expires_at=timezone.now())
    rename(community, "Again")
    send_all()
    with pytest.raises(WebhookVerificationError):
        verify(endpoint["secret"], listener.requests[1])
    assert verify(rotated.data["secret"], listener.requests[1])


# --- Delivery you can trust ---------------------------------------------------------------------


def test_a_slow_endpoint_holds_up_only_itself(listener, settings):
    settings.WEBHOOK_MAX_IN_FLIGHT = 1
    busy = WebhookEndpointFactory(url=listener.url)
    WebhookDeliveryFactory(endpoint=busy, status=WebhookDeliveryStatus.SENDING, sending_since=timezone.now())
    waiting = WebhookDeliveryFactory(endpoint=busy)
    other = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=listener.url))

    held = delivery_attempt(str(waiting.pk))
    sent = delivery_attempt(str(other.pk))

    assert held is None and sent.succeeded
    waiting.refresh_from_db()
    assert waiting.status == WebhookDeliveryStatus.PENDING


def test_an_endpoint_failing_for_days_is_disabled_and_its_managers_told(listener, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    endpoint = WebhookEndpointFactory(url=listener.url, failing_since=timezone.now() - timedelta(days=4))
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    listener.answers = [(500, 0.0, {})]

    with django_capture_on_commit_callbacks(execute=True):
        delivery_attempt(str(delivery.pk))
    endpoint.refresh_from_db()

    assert not endpoint.is_active and "failed" in endpoint.disabled_reason
    assert [mail.to for mail in mailoutbox] == [[endpoint.community.owner.email]]
    assert deliveries_due() == []


def test_only_webhook_managers_see_and_register_endpoints(listener):
    community, other = CommunityFactory(), CommunityFactory()
    member = member_add(community)
    foreign = WebhookEndpointFactory(community=other)

    refused = client_for(member).post(url_for("webhook-list", community_pk=community.pk), {"url": listener.url})
    cross = client_for(community.owner).get(url_for("webhook-detail", community_pk=community.pk,
                                                    endpoint_id=foreign.pk))

    assert refused.status_code == 403 and "webhook.manage" in refused.data["detail"]
    assert cross.status_code == 404


def test_unknown_event_types_are_refused():
    community = CommunityFactory()

    response = client_for(community.owner).post(url_for("webhook-list", community_pk=community.pk),
                                                {"url": "https://example.com/hook", "event_types": ["nope.nothing"]})

    assert response.status_code == 400 and "event_types" in response.data


def test_the_console_redelivers(listener, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    register(community, listener.url)
    rename(community)
    (delivery,) = send_all()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    console = Client()
    console.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post("/admin/community_service/webhookdelivery/",
                                 {"action": "redeliver", "_selected_action": [str(delivery.pk)]})

    assert response.status_code == 302
    assert len(listener.requests) == 2
    assert delivery.log.count() == 2
