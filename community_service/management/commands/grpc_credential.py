"""Manage the gRPC callers' credentials file (GRPC_CREDENTIALS_FILE; credentials.py).

    grpc_credential add --name gateway --method '/community.v1.PostService/*' --acts-for-users
    grpc_credential rotate --name gateway     # a second secret, both valid
    grpc_credential retire --name gateway     # only the newest secret stays valid
    grpc_credential remove --name gateway

A new secret is printed once; only its SHA-256 is written. The file is replaced atomically, and
the running server reads it again at the next call: no restart. `add --secret-from-env VAR`
keeps a secret callers already hold (the old shared GRPC_SERVICE_TOKEN: docs/operations.md).
"""

import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from community_service.grpc_api.credentials import (
    SECRET_PREFIX,
    CredentialsFileError,
    parse_credentials,
    secret_digest,
)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"services": []}
    text = path.read_text()
    parse_credentials(text)  # refuse to edit a file the server could not read
    return json.loads(text)


def _write(path: Path, document: dict[str, Any]) -> None:
    parse_credentials(json.dumps(document))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credentials-")
    with os.fdopen(handle, "w") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


class Command(BaseCommand):
    help = "Add, rotate, retire or remove an internal service's gRPC credential (GRPC_CREDENTIALS_FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "rotate", "retire", "remove", "list"],
                            help="add a service; rotate (a second secret, both valid); retire (keep only the "
                                 "newest secret); remove the service; list them.")
        parser.add_argument("--name", help="The calling service's name (logs and metrics show it).")
        parser.add_argument("--method", action="append", default=[],
                            help="A granted method: /package.Service/Method, /package.Service/* or *. Repeat.")
        parser.add_argument("--acts-for-users", action="store_true", help="May send x-user-id.")
        parser.add_argument("--secret-from-env", metavar="VAR",
                            help="add: keep the secret in this environment variable instead of making one.")
        parser.add_argument("--file", default=settings.GRPC_CREDENTIALS_FILE, help="Default GRPC_CREDENTIALS_FILE.")

    def handle(self, *args: Any, action: str, name: str | None, method: list[str], acts_for_users: bool,
               secret_from_env: str | None, file: str, **options: Any) -> None:
        if not file:
            raise CommandError("Set GRPC_CREDENTIALS_FILE (or pass --file).")
        path = Path(file)
        try:
            document = _read(path)
        except CredentialsFileError as exc:
            raise CommandError(str(exc)) from None
        services = document["services"]
        if action == "list":
            for entry in services:
                self.stdout.write(f"{entry['name']}: {len(entry['secret_sha256'])} secret(s), "
                                  f"acts_for_users={entry.get('acts_for_users', False)}, {', '.join(entry['methods'])}")
            return
        if not name:
            raise CommandError("--name is required.")
        entry = next((item for item in services if item["name"] == name), None)
        secret = None
        if action == "add":
            if entry is not None:
                raise CommandError(f"{name} exists: rotate its secret, or remove it first.")
            if not method:
                raise CommandError("Grant at least one --method.")
            if secret_from_env:
                secret = os.environ.get(secret_from_env, "")
                if len(secret) < 32:
                    raise CommandError(f"{secret_from_env} must hold a secret of at least 32 characters.")
            else:
                secret = SECRET_PREFIX + secrets.token_urlsafe(32)
            services.append({"name": name, "secret_sha256": [secret_digest(secret)], "methods": method,
                             "acts_for_users": acts_for_users})
            if secret_from_env:
                secret = None  # the caller has it already
        elif entry is None:
            raise CommandError(f"No service named {name}.")
        elif action == "rotate":
            secret = SECRET_PREFIX + secrets.token_urlsafe(32)
            entry["secret_sha256"].append(secret_digest(secret))
        elif action == "retire":
            entry["secret_sha256"] = entry["secret_sha256"][-1:]
        else:
            services.remove(entry)
        _write(path, document)
        if secret is not None:
            self.stdout.write(f"{name}: {secret}")
            self.stderr.write("Shown once: give it to the service now (authorization: Bearer <secret>).")
        else:
            self.stdout.write(f"{name}: {action} done.")
