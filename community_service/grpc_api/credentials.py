"""One identity per internal service: who may call the gRPC API, which methods, as whom.

The credentials live in a JSON file (GRPC_CREDENTIALS_FILE, a mounted secret in production),
re-read when it changes, so a credential is added, rotated or removed without a restart:

    {"services": [
      {"name": "gateway", "secret_sha256": ["<hex>", "<previous hex, during a rotation>"],
       "methods": ["/community.v1.PostService/*", "/community.v1.CommunityService/GetCommunity"],
       "acts_for_users": true}
    ]}

A caller sends `authorization: Bearer <its secret>`; only the secret's SHA-256 is in the file
(`manage.py grpc_credential` makes a secret and its entry). `methods` are full method names,
`/package.Service/*` or `*`; `acts_for_users` says whether the service may send `x-user-id`
(members.grpc_api.caller). A rotation lists the new digest beside the old one until every
instance of the caller has the new secret, then drops the old.
"""

import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECRET_PREFIX = "cs_svc_"


class CredentialsFileError(ValueError):
    """The file is missing, unreadable or not in the documented shape."""


@dataclass(frozen=True)
class ServiceCredential:
    name: str
    digests: frozenset[str]
    methods: tuple[str, ...]
    acts_for_users: bool

    def allows(self, method: str) -> bool:
        for pattern in self.methods:
            if pattern == "*" or pattern == method:
                return True
            if pattern.endswith("/*") and method.startswith(pattern[:-1]):
                return True
        return False


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_credentials(text: str) -> tuple[ServiceCredential, ...]:
    try:
        document: Any = json.loads(text)
        entries = document["services"]
        credentials = tuple(
            ServiceCredential(name=str(entry["name"]),
                              digests=frozenset(str(digest).lower() for digest in entry["secret_sha256"]),
                              methods=tuple(str(m) for m in entry["methods"]),
                              acts_for_users=bool(entry.get("acts_for_users", False)))
            for entry in entries
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialsFileError(f"Not a credentials file ({exc}).") from None
    names = [credential.name for credential in credentials]
    if len(set(names)) != len(names):
        raise CredentialsFileError("A service is named twice.")
    return credentials


class CredentialStore:
    """The credentials of a file, re-read when its modification time or size changes (one stat
    per call). A file that turns unreadable or malformed keeps the last good credentials
    rather than locking every caller out, and the error is kept for the log."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._credentials: tuple[ServiceCredential, ...] = ()
        self.last_error: str | None = None

    def load(self) -> tuple[ServiceCredential, ...]:
        """The current credentials; raises CredentialsFileError only if none were ever read."""
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            return self._keep(CredentialsFileError(f"Cannot read {self.path}: {exc.strerror}."))
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return self._credentials
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._credentials = parse_credentials(self.path.read_text())
                except (OSError, CredentialsFileError) as exc:
                    return self._keep(CredentialsFileError(str(exc)))
                self._stamp, self.last_error = stamp, None
        return self._credentials

    def _keep(self, error: CredentialsFileError) -> tuple[ServiceCredential, ...]:
        if self._stamp is None:
            raise error
        self.last_error = str(error)
        return self._credentials

    def find(self, secret: str) -> ServiceCredential | None:
        """The service whose secret this is, or None."""
        digest = secret_digest(secret)
        for credential in self.load():
            if any(hmac.compare_digest(digest, known) for known in credential.digests):
                return credential
        return None
