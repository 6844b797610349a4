"""docs/operations.md: every command line it shows names a real command with options that parse,
and the ones that are safe to run here run as written."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class

from tests.factories import UserFactory

DOC = Path(settings.BASE_DIR) / "docs" / "operations.md"
# A command line runs to the end of its line, or of its inline code span (the closing backtick).
LINE = re.compile(r"\.venv/bin/python manage\.py ([^#\n`]*)")
# Needs a live Kafka, serves forever, runs arbitrary code, or checks production settings:
# parsed, not run.
NOT_RUN_HERE = {"consume_events", "seed_demo", "grpcserver", "shell", "check"}


def _line(text: str) -> str:
    # `TOKEN=$(... issue_token --user x)`: the `)` closing the shell's $( is not the command's.
    return text.strip()[:-1] if text.strip().endswith(")") and text.count(")") > text.count("(") else text


def documented() -> list[list[str]]:
    lines = [shlex.split(_line(match.group(1))) for match in LINE.finditer(DOC.read_text())]
    return [argv for argv in lines if argv and not argv[0].startswith("<")]  # `<command>` is a placeholder


def test_the_doc_shows_the_operators_commands():
    names = {argv[0] for argv in documented()}
    assert {"check_services", "recount_counters", "issue_token", "relay_outbox", "prune_outbox"} <= names


@pytest.mark.parametrize("argv", documented(), ids=" ".join)
def test_every_documented_command_line_parses(argv):
    app = get_commands()[argv[0]]
    load_command_class(app, argv[0]).create_parser("manage.py", argv[0]).parse_args(argv[1:])


@pytest.mark.django_db
def test_the_documented_command_lines_run_as_written():
    UserFactory(email="alice@example.com")
    for argv in documented():
        if argv[0] in NOT_RUN_HERE:
            continue
        call_command(*argv, stdout=StringIO(), stderr=StringIO())
