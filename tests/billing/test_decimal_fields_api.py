"""Every decimal field a client writes answers the same code for the same mistake, whether
the value comes as a JSON string or a JSON number (StrictDecimalField, exact JSON numbers)."""

import json

import pytest

from tests.billing.world import World, build_world
from tests.routes import url_for

pytestmark = pytest.mark.django_db

LEVEL = {"name": "Gold", "currency": "USD", "duration_days": 30}

# (method, schema path, field) -> (actor, route name, route kwargs from the world, the rest of a valid body)
OPERATIONS = {
    ("post", "/api/v1/communities/{community_pk}/donations", "amount"):
        ("member", "donation-list", lambda w: {"community_pk": w.community.pk}, {"currency": "USD"}),
    ("post", "/api/v1/communities/{community_pk}/subscription-levels", "price"):
        ("admin", "level-list", lambda w: {"community_pk": w.community.pk}, LEVEL),
    ("patch", "/api/v1/subscription-levels/{level_id}", "price"):
        ("admin", "level-detail", lambda w: {"level_id": w.premium.pk}, {}),
}

# mistake -> the code it answers, and the raw JSON it is sent as: strings, then numbers (or other non-strings).
MISTAKES = {
    "negative": ("min_value", ['"-5.00"', '"-5"', '"-0.01"'], ["-5.00", "-5", "-0.01"]),
    "too many decimal places": ("max_decimal_places", ['"1.005"', '"12.500"', '"0.001"'],
                                ["1.005", "12.500", "0.001"]),
    "too many digits": ("max_digits", ['"1234567890123.45"', '"12345678901234"'],
                        ["1234567890123.45", "12345678901234"]),
    "not a number": ("invalid", ['"abc"', '""', '"12,50"'], ["true", "[]", "{}"]),
}


def request_decimal_fields(schema: dict) -> set[tuple[str, str, str]]:
    """(method, path, field) of every request body property the schema calls a decimal."""
    components = schema["components"]["schemas"]
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ref = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("$ref"))
            if not ref:
                continue
            properties = components[ref.rsplit("/", 1)[-1]].get("properties", {})
            found |= {(method, path, name) for name, prop in properties.items() if prop.get("format") == "decimal"}
    return found


def send(world: World, operation: tuple[str, str, str], token: str):
    method, _, field = operation
    actor, route, kwargs, rest = OPERATIONS[operation]
    body = "{" + f'"{field}": {token}' + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in rest.items()) + "}"
    return world.client(actor).generic(method.upper(), url_for(route, **kwargs(world)), body,
                                       content_type="application/json")


def test_the_walk_covers_every_decimal_field_a_client_writes(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    assert request_decimal_fields(schema) == set(OPERATIONS)


@pytest.mark.parametrize("operation", list(OPERATIONS), ids=lambda o: f"{o[0]} {o[1]} {o[2]}")
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_mistake_answers_one_code_whichever_json_type_carries_it(operation, mistake):
    world = build_world()
    code, as_strings, as_others = MISTAKES[mistake]
    field = operation[2]
    answers = {}
    for token in as_strings + as_others:
        response = send(world, operation, token)
        body = response.json()
        answers[token] = (response.status_code, body.get("code"), field in body)
    assert answers == {token: (400, code, True) for token in as_strings + as_others}


@pytest.mark.parametrize("operation", list(OPERATIONS), ids=lambda o: f"{o[0]} {o[1]} {o[2]}")
@pytest.mark.parametrize("token,stored", [('"12.50"', "12.50"), ("12.50", "12.50"), ("12.5", "12.50"),
                                          ("12", "12.00"), ("1.2e1", "12.00")])
def test_a_valid_value_is_taken_as_a_string_or_a_number(operation, token, stored):
    response = send(build_world(), operation, token)
    assert response.status_code in (200, 201), response.content
    assert response.json()[operation[2]] == stored
