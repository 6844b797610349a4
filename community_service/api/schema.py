"""OpenAPI generation: every operation documents the errors it can really return."""

import inspect
from typing import Any, Literal

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly

from community_service.api.pagination import TOTAL_EXACT_HELP


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A message a client can show.")
    code = serializers.CharField(help_text="A stable machine-readable error code.")


class ValidationErrorSerializer(serializers.Serializer):
    """`{"<field>": ["message", ...], "detail": "...", "code": "invalid"}`."""

    detail = serializers.CharField(help_text="The first problem, prefixed with its field.")
    code = serializers.CharField(help_text="A stable machine-readable error code.")


_ERRORS = {
    "400": OpenApiResponse(ValidationErrorSerializer, description="Bad input; each field lists its problems."),
    "401": OpenApiResponse(ErrorSerializer, description="Missing, invalid or expired credentials."),
    "403": OpenApiResponse(ErrorSerializer, description="Authenticated but not allowed."),
    "404": OpenApiResponse(ErrorSerializer, description="No such object, or not visible to you."),
    "409": OpenApiResponse(ValidationErrorSerializer, description="Conflicts with current state (e.g. taken slug)."),
    "429": OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After."),
    "503": OpenApiResponse(ErrorSerializer, description="Concurrent writes to the same data kept colliding "
                           "(`write_contention`); nothing was saved. Send it again after Retry-After seconds."),
}
# Answered by the web server (gunicorn, nginx) before the app: a body that is not ours to shape.
_URI_TOO_LONG = OpenApiResponse(
    description="The URL is longer than the server accepts (about 4 KiB): shorten the query parameters."
)


_NOT_MODIFIED = {"description": "Not modified: `If-None-Match` named the current `ETag`; no body."}
_IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER,
    description="The `ETag` of a copy the client holds: an unchanged resource answers 304 with no body.",
)


def _anonymous_allowed(permission: object, method: str) -> bool:
    if isinstance(permission, AllowAny):
        return True
    if isinstance(permission, IsAuthenticatedOrReadOnly):
        return method in SAFE_METHODS
    # Our own classes say so themselves (members.permissions.CanViewCommunity).
    return bool(getattr(permission, "allows_anonymous", False))


class AutoSchema(SpectacularAutoSchema):
    # drf-spectacular's get_description takes no arguments; the DRF stubs describe DRF's own (path, method).
    def get_description(self) -> str:  # type: ignore[override]
        """The action's or the view's own docstring, never one inherited from a base or mixin."""
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own = (action.__doc__ if action is not None else None) or self.view.__class__.__dict__.get("__doc__")
        return inspect.cleandoc(own) if own else ""

    def get_auth(self) -> list[dict]:
        """Bearer auth, marked optional (`{}`) where anonymous callers are let in too."""
        auths = super().get_auth()
        if {} not in auths and all(_anonymous_allowed(p, self.method) for p in self.view.get_permissions()):
            auths.append({})
        return auths

    def _answers_not_modified(self) -> bool:
        """A GET that serves cached bytes with an ETag (the view's `conditional_actions`)."""
        action = getattr(self.view, "action", None) or self.method.lower()
        return self.method == "GET" and action in getattr(self.view, "conditional_actions", ())

    def get_override_parameters(self) -> list[Any]:
        conditional = [_IF_NONE_MATCH] if self._answers_not_modified() else []
        return [*super().get_override_parameters(), *conditional]

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self._answers_not_modified():
            responses["304"] = _NOT_MODIFIED
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        for code, response in _ERRORS.items():
            if code in responses or (public and code == "403"):
                continue
            checks_credentials = getattr(self.view, "checks_credentials", False)
            if code == "401" and not (self.view.get_authenticators() or checks_credentials):
                continue
            if code in ("409", "503") and self.method not in {"POST", "PUT", "PATCH", "DELETE"}:
                continue
            if code == "429" and not self.view.get_throttles():
                continue
            responses[code] = self._get_response_for_code(response, code, direction=direction)
        if direction == "response" and any(p.get("in") == "query" for p in self._get_parameters()):
            responses["414"] = self._get_response_for_code(_URI_TOO_LONG, "414", direction=direction)
        return responses


def page_or_cursor_response(item_serializer: type[serializers.Serializer], name: str,
                            *also: serializers.Serializer, capped_count: bool = False,
                            component_name: str | None = None) -> PolymorphicProxySerializer:
    """A feed's 200 body: the page envelope, or {items, next, previous} with `?cursor=`
    (or one of `also`, e.g. a search page). `capped_count`: the view pages with
    CappedCountPagination, whose envelope adds `total_exact`. The component is `{name}Feed`
    unless `component_name` says otherwise."""
    return PolymorphicProxySerializer(
        component_name=component_name or f"{name}Feed",
        serializers=[
            inline_serializer(f"{name}Page", {
                "items": item_serializer(many=True), "total": serializers.IntegerField(),
                "page": serializers.IntegerField(), "page_size": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                # Created after the others: DRF orders declared fields by creation.
                **({"total_exact": serializers.BooleanField(help_text=TOTAL_EXACT_HELP)} if capped_count else {}),
            }),
            inline_serializer(f"{name}CursorPage", {
                "items": item_serializer(many=True), "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
            }),
            *also,
        ],
        resource_type_field_name=None,
        many=False,
    )


# --- Rules the generated schema would leave out -----------------------------------------
# drf-spectacular maps what DRF fields declare; these extensions add what our fields and
# serializers also enforce, so a client built from the schema sends what the server accepts.

NO_NUL = "^[^\\u0000]*$"  # PostgreSQL text cannot hold NUL: refused (DRF's ProhibitNullCharactersValidator)
# A trimmed field that may not be blank (NameField): no NUL, and something besides whitespace.
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class CharFieldExtension(OpenApiSerializerFieldExtension):
    """Every DRF CharField refuses NUL (ProhibitNullCharactersValidator): say so. A trimmed one
    that may not be blank (NameField) also refuses whitespace alone (`blank`): say that too."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: SpectacularAutoSchema, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        validators = self.target.validators
        # Fields with their own pattern (slugs, usernames, colours, passwords) already exclude NUL;
        # drf-spectacular adds that pattern after this, from the field's RegexValidator.
        if (direction == "request" and any(isinstance(v, ProhibitNullCharactersValidator) for v in validators)
                and not any(isinstance(v, RegexValidator) for v in validators)):
            trimmed = getattr(self.target, "trim_whitespace", False) and not self.target.allow_blank
            schema["pattern"] = NOT_BLANK if trimmed else NO_NUL
        return schema


class UniqueListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "community_service.api.fields.UniqueListField"

    def map_serializer_field(self, auto_schema: SpectacularAutoSchema, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "uniqueItems": True}


class OverwriteSerializerExtension(OpenApiSerializerExtension):
    """A channel overwrite names exactly one of role_id or user_id (the other absent or null)."""

    target_class = "content.serializers.channels.OverwriteSerializer"

    def map_serializer(self, auto_schema: SpectacularAutoSchema, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        def only(name: str, other: str) -> dict:
            # `name` is a UUID; `other` is absent or null ("not a string present").
            return {
                "type": "object", "required": [name], "properties": {name: {"type": "string", "format": "uuid"}},
                "not": {"required": [other], "properties": {other: {"type": "string"}}},
            }

        schema["oneOf"] = [only("role_id", "user_id"), only("user_id", "role_id")]
        return schema


def close_page_envelopes(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Postprocessing hook: page envelopes (`…Page`) carry exactly their keys.

    A feed answers one of several envelopes (page, cursor page, search page) under `oneOf`;
    the search page is the page plus `match` and `total_capped`, so without this a search
    page would also be a valid plain page and match two branches of the `oneOf`.
    """
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Page") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result


_BLANK_STRING = {"type": "string", "maxLength": 0}


def blank_strings_any_of(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: a blank-allowed string is `anyOf` [its rules, ""], not `oneOf`.

    drf-spectacular writes `oneOf` for allow_blank fields that have a pattern or a format;
    when the pattern also matches "" (most of ours only refuse NUL), "" matches both
    branches and a validator refuses the very value the field allows.
    """

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            branches = node.get("oneOf")
            if isinstance(branches, list) and _BLANK_STRING in branches:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def non_empty_query_arrays(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: a list-valued query parameter (`?ordering=a,b`) has at least one
    item. `?ordering=` reads as [] or [""]; the server refuses it (StrictFilterSet: leave the
    parameter out for the default), so the schema must not allow an empty list either."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "array":
                    schema.setdefault("minItems", 1)
    return result
