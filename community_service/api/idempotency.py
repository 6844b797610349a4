"""Idempotency keys with Stripe's semantics, for POSTs that move money.

The client sends `Idempotency-Key: <unique string>` (1-255 printable ASCII characters).
Each route says whether the key is required (`@idempotent(key_required=...)`): the seed's
routes (subscribe, donate) were specified without one, so there, as on Stripe, a request
without a key simply runs, as its own attempt, and only a request with a key gets the
guarantees below.

- The first request with a key runs; its response (status, body and a few headers) is
  stored in PostgreSQL for at least IDEMPOTENCY_KEY_TTL_HOURS (24) hours.
- A retry with the same key and the same request (method, path, body) gets the stored
  response back byte for byte, with `Idempotent-Replayed: true`; nothing runs again.
- The same key with a different request is a 422 `idempotency_key_reused`.
- A retry while the first request is still running is a 409 `idempotency_in_progress`
  (with Retry-After); the client retries later and then gets the replay.
- Results that say "try again" are not kept, so the retry really runs again: 5xx (a
  provider outage answers 503), 409 and 429. Everything else, declines (402) and bad
  input (400) included, is replayed.

Keys are scoped to the authenticated user (two users may use the same key) and claimed
with an INSERT against a unique constraint, in autocommit, before the view runs, so of
many concurrent requests exactly one runs. A claim left `in_progress` by a process that
died is taken over after IDEMPOTENCY_IN_PROGRESS_TIMEOUT seconds.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger("community_service.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Headers of the first response that a replay repeats.
KEPT_HEADERS = ("Content-Type", "Location", "Retry-After")
# Statuses that mean "try again": not kept, the key is released.
RETRYABLE = frozenset({status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS})

_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
_KEY_RULES = ("Retrying with the same key and body replays the first response instead of charging again; the same "
              "key with another body is a 422; while the first request runs, a retry is a 409. Kept at least 24 "
              "hours.")


def idempotency_parameter(*, required: bool) -> OpenApiParameter:
    """The header as the schema states it on a route that requires it, or merely accepts it."""
    if required:
        description = f"A unique key per operation (e.g. a UUID). {_KEY_RULES}"
    else:
        description = ("Optional, and recommended: a unique key per operation (e.g. a UUID) makes retrying safe. "
                       f"{_KEY_RULES} Without a key every request is a new attempt, so a retry after a lost "
                       "response may pay twice.")
    return OpenApiParameter(HEADER, _KEY_SCHEMA, OpenApiParameter.HEADER, required=required, description=description)


class IdempotencyStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class IdempotencyKey(models.Model):
    """One claimed key of one user, and the response the first request got."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.UUIDField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and canonical body.")
    status = models.CharField(max_length=20, choices=IdempotencyStatus.choices, default=IdempotencyStatus.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    # Not a column: idempotency_claim says whether this request took the key (else it replays or refuses).
    claimed: bool

    class Meta:
        app_label = "community_service"
        verbose_name = "idempotency key"
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="uq_idempotency_user_key")]
        indexes = [models.Index(fields=["expires_at"], name="idx_idempotency_expires")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class IdempotencyError(exceptions.APIException):
    """A refusal about the operation as a whole (409, 422): `{"detail", "code"}`."""

    wait: float | None = None  # seconds; DRF's handler turns it into Retry-After

    def __init__(self, detail: str, code: str, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(exceptions.ErrorDetail(detail, code))


def _bad_key(detail: str, code: str) -> exceptions.ValidationError:
    """A 400 naming the header, in the shape of any other field error."""
    return exceptions.ValidationError({HEADER: [exceptions.ErrorDetail(detail, code)]})


def request_fingerprint(request: Request) -> str:
    """The same operation gives the same fingerprint, whatever the JSON key order or spacing."""
    body = json.dumps(request.data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def idempotency_claim(*, user_id: UUID, key: str, fingerprint: str) -> IdempotencyKey:
    """Claim `key` for this request, or return the row that already holds it.

    The returned row is ours to run when it is `in_progress` and `claimed` is set on it;
    otherwise the caller replays it or refuses. Runs in its own autocommit statement so
    concurrent requests see the claim at once.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.IDEMPOTENCY_IN_PROGRESS_TIMEOUT)
    row: IdempotencyKey | None
    for _ in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user_id=user_id, key=key, fingerprint=fingerprint,
                                                    created_at=now, expires_at=now + _ttl())
            row.claimed = True
            return row
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if row is None:
            continue  # released between our insert and our read: try again
        expired = row.expires_at <= now
        abandoned = row.status == IdempotencyStatus.IN_PROGRESS and row.created_at < stale_before
        if expired or abandoned:
            # Only one of the concurrent takers deletes it; the others then race on the insert.
            IdempotencyKey.objects.filter(pk=row.pk, status=row.status, created_at=row.created_at).delete()
            continue
        row.claimed = False
        return row
    raise IdempotencyError("This Idempotency-Key is being used by another request; retry shortly.",
                           "idempotency_in_progress", status.HTTP_409_CONFLICT)


def idempotency_release(row: IdempotencyKey) -> None:
    """Forget a claim whose request ended in a result worth retrying (or crashed)."""
    IdempotencyKey.objects.filter(pk=row.pk, status=IdempotencyStatus.IN_PROGRESS).delete()


def idempotency_forget(*, row_ids: list[int]) -> int:
    """Forget stored first responses (the console), so their keys run again; return how many."""
    return IdempotencyKey.objects.filter(pk__in=row_ids).delete()[0]


def idempotency_complete(row: IdempotencyKey, response: HttpResponse) -> None:
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status=IdempotencyStatus.DONE, response_status=response.status_code, response_headers=headers,
        response_body=response.content, completed_at=timezone.now(),
    )


def idempotency_prune(*, batch_size: int = 5000) -> int:
    """Delete expired keys in batches; return how many."""
    deleted = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(expires_at__lt=timezone.now()).order_by("id")
                   .values_list("id", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.response_body or b""), status=row.response_status)
    for name, value in row.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _rendered(view: Any, request: Request, response: Response | HttpResponse) -> HttpResponse:
    """The view's answer as plain bytes, so the first response and every replay are the same bytes."""
    if not isinstance(response, Response):
        return response
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = view.get_renderer_context()  # type: ignore[attr-defined]  # as finalize_response does
    response.render()
    plain = HttpResponse(response.content, status=response.status_code, content_type="application/json")
    for name in KEPT_HEADERS[1:]:
        if response.has_header(name):
            plain[name] = response[name]
    return plain


def idempotent(*, key_required: bool) -> Callable[[Callable[..., Response]], Callable[..., HttpResponse]]:
    """Decorate a DRF view method that moves money, and state the header in its schema.

    With a key the request gets the guarantees above; without one it is a 400 if
    `key_required`, else it simply runs. Runs after authentication and permission checks
    (they belong to the request, not to the operation), and before the handler.
    """

    def decorate(handler: Callable[..., Response]) -> Callable[..., HttpResponse]:
        @wraps(handler)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
            key = request.headers.get(HEADER)
            if key is None:
                if key_required:
                    raise _bad_key("Send an Idempotency-Key header (e.g. a UUID) with this request.", "required")
                return handler(view, request, *args, **kwargs)
            return _run_once(view, request, key, handler, *args, **kwargs)

        return extend_schema(parameters=[idempotency_parameter(required=key_required)])(wrapper)

    return decorate


def _run_once(view: Any, request: Request, key: str, handler: Callable[..., Response], *args: Any,
              **kwargs: Any) -> HttpResponse:
    """Run `handler` once per (user, key); replay or refuse the request when the key is taken."""
    if not _VALID_KEY.match(key):
        raise _bad_key("An Idempotency-Key is 1 to 255 printable ASCII characters.", "invalid")
    user_id = request.user.pk
    if user_id is None:  # the view's permissions already require a signed-in user
        raise exceptions.NotAuthenticated()
    row = idempotency_claim(user_id=user_id, key=key, fingerprint=request_fingerprint(request))
    if not row.claimed:
        if row.fingerprint != request_fingerprint(request):
            raise IdempotencyError("This Idempotency-Key was used with a different request; use a new key.",
                                   "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY)
        if row.status == IdempotencyStatus.IN_PROGRESS:
            error = IdempotencyError("A request with this Idempotency-Key is still running; retry shortly.",
                                     "idempotency_in_progress", status.HTTP_409_CONFLICT)
            error.wait = 1  # DRF's handler turns `wait` into Retry-After
            raise error
        return _replay(row)
    try:
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - turned into its HTTP answer below, or re-raised
            response = view.handle_exception(exc)
        plain = _rendered(view, request, response)
    except BaseException:
        idempotency_release(row)
        raise
    if plain.status_code >= 500 or plain.status_code in RETRYABLE:
        idempotency_release(row)
    else:
        idempotency_complete(row, plain)
    return plain
