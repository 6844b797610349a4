"""Per-request values (request id, user id) that logs and events read without plumbing."""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)

# A client-supplied id is kept only if it is short and printable, so it cannot
# inject into logs or headers.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def request_id_from(incoming: str | None) -> str:
    """The caller's request id if it is sane (HTTP X-Request-ID, gRPC x-request-id), else a new one."""
    return incoming if incoming and _VALID_REQUEST_ID.match(incoming) else str(uuid.uuid4())
