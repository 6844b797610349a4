"""The operator's commands: issue_token and check_services, and every command's --help."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.outbox.brokers import free_port
from tests.routes import url_for

OUR_APPS = ("community_service", "communities", "members", "content", "events", "billing", "analytics")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_issue_token_prints_a_token_the_api_accepts():
    user = UserFactory(email="script@example.com")
    token = run("issue_token", "--user", "SCRIPT@example.com").strip()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = api.get(url_for("auth-me"))
    assert me.status_code == 200 and me.json()["id"] == str(user.pk)


@pytest.mark.django_db
def test_issue_token_refresh_prints_both_and_grants_no_superadmin():
    UserFactory(email="plain@example.com")
    pair = json.loads(run("issue_token", "--user", "plain@example.com", "--refresh"))
    assert set(pair) == {"access", "refresh"}
    from rest_framework_simplejwt.tokens import AccessToken

    assert AccessToken(pair["access"])["is_superadmin"] is False


@pytest.mark.django_db
def test_issue_token_refuses_unknown_and_deactivated_users():
    UserFactory(email="gone@example.com", is_active=False)
    with pytest.raises(CommandError, match="No user"):
        run("issue_token", "--user", "nobody@example.com")
    with pytest.raises(CommandError, match="deactivated"):
        run("issue_token", "--user", "gone@example.com")


@pytest.mark.django_db
def test_check_services_reports_each_service_and_exits_zero_when_all_are_up():
    output = run("check_services")
    for name in ("database", "cache", "task_broker", "event_broker", "storage", "outbox"):
        assert f"{name}: ok" in output or f"{name}: eager" in output


@pytest.mark.django_db
def test_check_services_exits_one_and_names_what_is_down(settings):
    settings.EVENT_BROKER_TYPE = "rabbitmq"
    settings.RABBITMQ_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    settings.OUTBOX_PUBLISH_TIMEOUT = 1
    out = StringIO()
    with pytest.raises(CommandError, match="down: event_broker") as failure:
        call_command("check_services", "--only", "event_broker", "--only", "database", stdout=out)
    assert failure.value.returncode == 1
    assert "database: ok" in out.getvalue() and "event_broker: down" in out.getvalue()


@pytest.mark.django_db
def test_check_services_reaches_a_real_kafka_and_rabbitmq(settings, tansu):
    settings.EVENT_BROKER_TYPE = "kafka"
    settings.KAFKA_BOOTSTRAP_SERVERS = tansu.bootstrap
    assert "event_broker: ok (kafka, 1 broker(s))" in run("check_services", "--only", "event_broker")
    settings.EVENT_BROKER_TYPE = "rabbitmq"
    settings.RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
    report = json.loads(run("check_services", "--only", "event_broker", "--json"))
    assert report == {"event_broker": {"up": True, "detail": "ok (rabbitmq)"}}


def test_every_project_command_explains_itself_in_help():
    ours = {name: app for name, app in get_commands().items() if app in OUR_APPS}
    assert {"issue_token", "check_services", "recount_counters", "relay_outbox"} <= set(ours)
    assert "demo_token" not in ours  # replaced by issue_token
    for name, app in ours.items():
        command = load_command_class(app, name)
        assert len(command.help) > 40, f"{name} --help says too little"
        parser = command.create_parser("manage.py", name)
        for action in parser._actions:
            if action.dest not in {"help", "version", "verbosity", "settings", "pythonpath", "traceback",
                                   "no_color", "force_color", "skip_checks"}:
                assert action.help, f"{name} {action.option_strings}: option without help"


@pytest.mark.parametrize(("broker", "setting", "named"), [
    ("kafka", {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:{port}"}, "Kafka at 127.0.0.1:{port} (KAFKA_BOOTSTRAP_SERVERS)"),
    ("rabbitmq", {"RABBITMQ_URL": "amqp://guest:s3cret@127.0.0.1:{port}//"},
     "RabbitMQ at amqp://guest:***@127.0.0.1:{port}// (RABBITMQ_URL)"),
])
def test_consume_events_without_a_reachable_broker_says_so_in_one_line(broker, setting, named):
    # As an operator sees it: a separate process, stderr as printed (no traceback, no client library noise).
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test",
           **{key: value.format(port=port) for key, value in setting.items()}}
    result = subprocess.run(
        [sys.executable, "manage.py", "consume_events", "--broker", broker, "--timeout", "1"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [f"CommandError: Cannot reach {named.format(port=port)}: " + (
        "Failed to get metadata: Local: Broker transport failure." if broker == "kafka"
        else "[Errno 111] Connection refused.")]
