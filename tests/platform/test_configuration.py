"""The configuration contract: .env.example lists every variable the code reads, and as
shipped it is an honest production file (secrets required, https on)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
EXAMPLE = BASE_DIR / ".env.example"
SECRETS = {
    "SECRET_KEY": "q7Zk2pX9vR4mT8wL1nB6cY3hF5jD0sG-aE_uI9oP2lK7zX4vC8",
    "JWT_SECRET_KEY": "M3nB8vC1xZ6lK4jH9gF2dS7aP0oI5uY-tR_eW3qN8mB1vC6xZ4",
}


def _names_read_by_code() -> set[str]:
    settings_source = "\n".join(path.read_text() for path in (BASE_DIR / "community_service" / "settings").glob("*.py"))
    names = set(re.findall(r'env\.\w+\("([A-Z][A-Z0-9_]*)"', settings_source))
    entrypoint = (BASE_DIR / "community_service" / "deploy" / "entrypoint.sh").read_text()
    # Metrics read the process environment directly: gunicorn's and Celery's processes set it.
    metrics = (BASE_DIR / "community_service" / "observability" / "metrics.py").read_text()
    return (names | set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", entrypoint))
            | set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]*)"', metrics)))


def _names_listed() -> set[str]:
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", EXAMPLE.read_text(), flags=re.M))


def _manage(args: list[str], env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: only what a production host would have, plus the file under test.
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "community_service.settings",
           "ENV_FILE": str(EXAMPLE), **env_overrides}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=60)


def test_every_variable_the_code_reads_is_in_env_example_and_nothing_else():
    read, listed = _names_read_by_code(), _names_listed()
    assert read - listed == set(), "read by the code but missing from .env.example"
    assert listed - read == set(), "listed in .env.example but read by nothing"


def test_every_variable_in_env_example_has_a_comment_above_its_group_or_itself():
    lines = EXAMPLE.read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            above = lines[index - 1]
            assert above.startswith("#") or re.match(r"^[A-Z][A-Z0-9_]*=", above), line


def test_env_example_as_shipped_refuses_to_start_until_the_secrets_are_set():
    result = _manage(["check"], {})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_env_example_requires_a_database_url():
    result = _manage(["check"], SECRETS)
    assert result.returncode != 0
    assert "DATABASE_URL is required" in result.stderr


def test_env_example_with_its_required_values_filled_passes_check_deploy_with_https_on():
    filled = {**SECRETS, "DATABASE_URL": os.environ.get("DATABASE_URL", settings.DATABASE_URL)}
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], filled)
    assert result.returncode == 0, result.stderr + result.stdout
    shown = _manage(["shell", "-v", "0", "-c", "from django.conf import settings as s; "
                     "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.NUM_PROXIES)"], filled)
    assert shown.stdout.split() == ["False", "True", "True", "1"], shown.stderr
