"""docker-compose.yml: valid against the Compose specification, and production-shaped.

No container engine runs here, so the file is checked as data: the Compose spec's JSON
schema (vendored in tests/platform/schemas from check-jsonschema's copy, Apache-2.0), a
healthcheck on every service, start order by health, a scalable web service behind nginx.
"""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: object) -> object:
    """Compose's variable substitution, with every variable unset: defaults apply, and
    required ones (`:?`) get a stand-in, as a user's environment would provide."""
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    if isinstance(value, str):
        def substitute(match: re.Match) -> str:
            if match["op"] in (":-", "-"):
                return match["arg"]
            if match["op"] in (":?", "?"):
                return "x" * 40
            return ""

        return _VARIABLE.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")
    return value


@pytest.fixture(scope="module")
def compose() -> dict:
    return interpolate(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_the_compose_file_follows_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_rejects_what_compose_would_reject():
    # The vendored schema is the real one: it catches a misspelt key and a bad condition.
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid({"services": {"web": {"image": "x", "healthcheck": {"tset": ["CMD", "true"]}}}})
    assert not validator.is_valid({"services": {"web": {"image": "x", "depends_on": {"db": {"condition": "ok"}}}}})


def test_every_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no healthcheck"


def test_services_start_once_what_they_need_is_healthy(compose):
    services = compose["services"]
    one_shot = {name for name, service in services.items() if service.get("restart") == "no"}
    assert one_shot == {"minio-init", "migrate"}
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency in one_shot else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {dependency}"
    for name in ("web", "worker", "beat"):
        assert set(services[name]["depends_on"]) == {"postgres", "redis", "kafka", "minio-init", "migrate"}
    assert services["nginx"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_stack_is_the_seeds(compose):
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert "zookeeper" not in services
    assert "mc mb --ignore-existing local/community-media" in services["minio-init"]["entrypoint"]
    assert services["worker"]["command"] == ["worker"] and services["beat"]["command"] == ["beat"]


def test_web_scales_behind_nginx_least_conn(compose):
    web = compose["services"]["web"]
    # `--scale web=N` needs no fixed name and no host port on the replicas.
    assert "container_name" not in web and "ports" not in web
    assert web["environment"]["APP_PORT"] == "8000" and web["expose"] == ["8000"]
    nginx = compose["services"]["nginx"]
    assert nginx["ports"] == ["8000:80"]
    conf = (ROOT / "community_service" / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream community_app \{(.*?)\n\}", conf, re.S).group(1)
    assert "least_conn;" in upstream and "server web:${APP_PORT} resolve;" in upstream
    assert re.search(r"location = /metrics \{\s*return 404;", conf)
    assert nginx["volumes"] == ["./community_service/deploy/nginx.conf:/etc/nginx/templates/default.conf.template:ro"]
