"""APP_PORT (the seed's; PORT is an alias) is the port make run and the container listen on."""

from pathlib import Path

from django.conf import settings

from community_service import devtools


def test_make_run_listens_on_app_port_then_port_then_8000(monkeypatch, tmp_path):
    monkeypatch.setattr(devtools, "BASE_DIR", tmp_path)
    monkeypatch.delenv("APP_PORT", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert devtools.app_port() == "8000"
    # .env holds production values; make run reads only the environment.
    (tmp_path / ".env").write_text("# production\nAPP_PORT=8100\n")
    assert devtools.app_port() == "8000"
    monkeypatch.setenv("PORT", "8200")
    assert devtools.app_port() == "8200"
    monkeypatch.setenv("APP_PORT", "8300")
    assert devtools.app_port() == "8300"


def test_the_entrypoint_binds_app_port_with_port_as_alias():
    script = (Path(settings.BASE_DIR) / "community_service" / "deploy" / "entrypoint.sh").read_text()
    assert 'APP_PORT="${APP_PORT:-${PORT:-8000}}"' in script and '--bind "0.0.0.0:${APP_PORT}"' in script


def test_env_example_documents_the_seed_settings_and_the_new_ones():
    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    for name in ("APP_PORT", "DB_MAX_OVERFLOW", "DATABASE_REPLICA_URL", "METRICS_TOKEN", "WORKER_METRICS_PORT"):
        assert f"\n{name}=" in example, name
