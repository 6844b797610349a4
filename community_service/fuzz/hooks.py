"""Schemathesis hooks for `make fuzz`: the few server rules OpenAPI 3.0 cannot state.

Every other rule is in the schema (lengths, patterns, enums, uniqueItems, oneOf, required,
read-only fields left out of request bodies). These are the exceptions, each listed for
clients in docs/api.md ("Rules beyond the schema") with the error code the server answers:
a schema-valid request refused with a 400 carrying exactly that code, on exactly that
field, is documented behaviour, so that one failure (ST202) is dropped. Anything else,
including the same code on another field, still fails the run.

Loaded by schemathesis (SCHEMATHESIS_HOOKS), never by Django.
"""

import json
from typing import Any

import schemathesis

# code -> (field it is reported on, why no schema keyword can say it)
UNSTATED_RULES: dict[str, tuple[str, str]] = {
    "invalid_cursor": ("cursor", "cursors are opaque: only ones this server handed out decode"),
    "password_too_common": ("password", "a list of 20,000 common passwords"),
    "password_too_similar": ("password", "compared with the email and username of the same request"),
    "password_entirely_numeric": ("password", "Unicode digits other than 0-9 count as digits too"),
    "empty": ("file", "an uploaded file must have at least one byte"),
    "unsupported_type": ("file", "the file type is read from its first bytes"),
    "allow_deny_overlap": ("overwrites", "a code may not be both allowed and denied"),
}


def documented_refusal(status: int, body: Any) -> bool:
    """A 400 whose first error is one of UNSTATED_RULES, on its field and no other."""
    if status != 400 or not isinstance(body, dict) or body.get("code") not in UNSTATED_RULES:
        return False
    field, _ = UNSTATED_RULES[body["code"]]
    return set(body) - {"detail", "code"} == {field}


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if failure.code != "ST202":  # positive_data_acceptance: a schema-valid request refused
        return True
    try:
        body = json.loads(response.content)
    except ValueError:
        return True
    return not documented_refusal(response.status_code, body)
