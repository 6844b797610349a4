"""Schemathesis hooks for `make fuzz`: the few server rules OpenAPI 3.0 cannot state.

Every other rule is in the schema (lengths, patterns, enums, uniqueItems, oneOf, required,
read-only fields left out of request bodies). These are the exceptions, each listed for
clients in docs/api.md ("Rules beyond the schema") with the status and error code the
server answers: a schema-valid request refused with exactly that status and code, on one of
its fields, is documented behaviour, so that one failure (ST202) is dropped. Anything else,
including the same code on another field, still fails the run.

Loaded by schemathesis (SCHEMATHESIS_HOOKS), never by Django.
"""

import json
import os
import subprocess
import sys
from typing import Any

import schemathesis

SIGN_OUT_OPERATION = "POST /api/v1/auth/logout-all"


@schemathesis.auth(refresh_interval=600)  # well inside JWT_ACCESS_TOKEN_MINUTES (at most 15)
class FuzzUserToken:
    """Every request is FUZZ_USER's, with an access token issued by `manage.py issue_token` and
    renewed every ten minutes: a run longer than a token's life would otherwise test nothing
    but 401s after it. POST /auth/logout-all ends its caller's sessions, so it gets another
    user's token (FUZZ_SIGN_OUT_TOKEN)."""

    def get(self, case: Any, context: Any) -> str:
        return subprocess.run(
            [sys.executable, os.environ["FUZZ_MANAGE_PY"], "issue_token", "--user", os.environ["FUZZ_USER"]],
            check=True, capture_output=True, text=True,
        ).stdout.strip()

    def set(self, case: Any, data: str, context: Any) -> None:
        token = os.environ["FUZZ_SIGN_OUT_TOKEN"] if case.operation.label == SIGN_OUT_OPERATION else data
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

# code -> (status, fields it may be reported on (none: the request as a whole), why no schema keyword can say it)
UNSTATED_RULES: dict[str, tuple[int, tuple[str, ...], str]] = {
    "invalid_cursor": (400, ("cursor",), "cursors are opaque: only ones this server handed out decode"),
    "does_not_exist": (400, ("user_id", "channel_id", "parent_id", "target_id", "level_id", "role_ids",
                             "required_level_ids", "attachment_ids", "overwrites", "communities"),
                       "an id in the body must name an object that exists and the caller can see"),
    "password_too_common": (400, ("password", "new_password"), "a list of 20,000 common passwords"),
    "password_too_similar": (400, ("password", "new_password"), "compared with the account's email and username"),
    "password_entirely_numeric": (400, ("password", "new_password"), "Unicode digits other than 0-9 count as digits"),
    "password_incorrect": (400, ("current_password",), "the password of the signed-in account, which only it knows"),
    "invalid_token": (400, ("token",), "a password reset or email change link's token, made for one account and time"),
    "unchanged": (400, ("new_email",), "not the signed-in account's own address, which only it knows"),
    "empty": (400, ("file",), "an uploaded file must have at least one byte"),
    "unsupported_type": (400, ("file",), "the file type is read from its first bytes"),
    "allow_deny_overlap": (400, ("overwrites",), "a code may not be both allowed and denied"),
    "max_value": (400, ("amount", "price"), "the limit is a setting (BILLING_MAX_AMOUNT), stated in the description"),
    "max_decimal_places": (400, ("amount", "price"), "decimal places depend on the currency (JPY: none)"),
    "idempotency_key_reused": (422, (), "one Idempotency-Key names one request: another body under it is refused"),
    "unknown_currency": (400, ("currency",), "an ISO 4217 code the server knows, in any case"),
    "range_too_long": (400, ("from",), "from and to at most ANALYTICS_MAX_DAYS apart: two parameters and a setting"),
    "invalid_range": (400, ("from",), "from on or before to: a relation between two parameters"),
    "beyond_search_limit": (400, ("page",), "page × page_size at most 500 results: a product of two parameters"),
    "page_too_deep": (400, ("page",),
                      "(page - 1) × page_size < 10,000 (communities, posts, threads, donations, events): a product"),
    "in_past": (400, ("starts_at", "expires_at"),
                "a new event starts, an API key expires, in the future: relative to the server's clock"),
    "before_start": (400, ("ends_at",), "ends_at after starts_at: a relation between two fields"),
    "too_long": (400, ("ends_at", "expires_at"),
                 "an event lasts at most 31 days, an API key 366: a difference from another field or the clock"),
    "after_start": (400, ("registration_deadline",), "registration closes by starts_at: two fields"),
    "required": (400, ("location",), "a location, an online_url, or both: one of two fields"),
    "out_of_range": (400, ("starts_at", "ends_at", "registration_deadline"),
                     "years 1900-2999: date-time has no range keyword"),
    "unknown": (400, ("timezone", "time_zone", "preferences"),
                "an IANA zone of the tz database (changes with tzdata releases); a notice type, a key of an object"),
    "unsafe_url": (400, ("url",), "a webhook's host must resolve, at that moment, to public addresses only: DNS"),
}


DOCUMENTED_FIELDS = {field for _, fields, _ in UNSTATED_RULES.values() for field in fields}


def documented_refusal(status: int, body: Any) -> bool:
    """A refusal whose first error is one of UNSTATED_RULES, with its status, on one of its fields."""
    if not isinstance(body, dict) or body.get("code") not in UNSTATED_RULES:
        return False
    expected_status, fields, _ = UNSTATED_RULES[body["code"]]
    named = set(body) - {"detail", "code"}
    # Named on its fields (a rule on times may name each time it refuses), or on none. A request
    # breaking several documented rules at once also names their fields (the first code wins).
    if not fields:
        return status == expected_status and not named
    return status == expected_status and bool(named & set(fields)) and named <= DOCUMENTED_FIELDS


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if failure.code != "ST202":  # positive_data_acceptance: a schema-valid request refused
        return True
    try:
        body = json.loads(response.content)
    except ValueError:
        return True
    return not documented_refusal(response.status_code, body)
