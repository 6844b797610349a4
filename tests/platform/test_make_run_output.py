"""What `make run` prints: each set-up step with its duration, then one banner."""

import io
import re

from community_service.devtools import cli as devtools


def test_a_step_says_what_it_does_and_how_long_it_took():
    out = io.StringIO()
    with devtools.step("Migrations", out):
        pass
    first, second = out.getvalue().splitlines()
    assert first == "==> Migrations ..."
    assert re.fullmatch(r"    Migrations: done in \d+\.\d s", second)


def test_a_failing_step_does_not_claim_it_is_done():
    out = io.StringIO()
    try:
        with devtools.step("Demo data", out):
            raise RuntimeError("seed failed")
    except RuntimeError:
        pass
    assert "done" not in out.getvalue()


def test_the_banner_has_the_urls_the_demo_accounts_the_grpc_token_and_how_to_stop():
    text = devtools.banner(http_port="8013", grpc_port="50063", grpc_token="tok",
                           demo="Demo accounts (password for all: pw):\n  alice@example.com    user\n")
    for expected in ("http://127.0.0.1:8013/api/v1/", "http://127.0.0.1:8013/api/docs/",
                     "http://127.0.0.1:8013/admin/", "127.0.0.1:50063", "Bearer tok", "alice@example.com",
                     "password for all: pw", "Ctrl-C"):
        assert expected in text, expected
