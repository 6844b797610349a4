"""Hot reads keep the rendered JSON bytes in the cache, so a hit skips serializer and renderer.

A cached body is `(bytes, etag)`: the exact bytes DRF's JSONRenderer produced on the miss,
and a strong ETag over them. A hit answers those bytes as they are (the view still
authenticates, throttles and authorises first), or a 304 when the client's If-None-Match
already names them. `.data` of such a response is decoded only if someone reads it (tests).
"""

import hashlib
import json
from typing import Any

from django.http import HttpRequest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

Rendered = tuple[bytes, str]  # (JSON bytes, ETag)

_renderer = JSONRenderer()


def render(data: Any) -> Rendered:
    body = _renderer.render(data)
    return body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def is_rendered(value: object) -> bool:
    """A cached (bytes, etag) pair (older releases cached dicts under the same keys)."""
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bytes)


def not_modified(request: Request | HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names `etag` (or `*`): the client's copy is current."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


class RenderedResponse(Response):
    """A response whose JSON body is already bytes; other renderers (the browsable API
    under DEBUG) get the decoded data as usual."""

    def __init__(self, rendered: Rendered, *, status: int = 200) -> None:
        super().__init__(None, status=status)
        self._body, etag = rendered
        self._decoded: Any = None
        self["ETag"] = etag

    @property
    def data(self) -> Any:
        if self._decoded is None and self._body:
            self._decoded = json.loads(self._body)
        return self._decoded

    @data.setter
    def data(self, value: Any) -> None:  # Response.__init__ sets None
        self._decoded = value

    @property
    def rendered_content(self) -> bytes:  # type: ignore[override]  # Django's stubs say str; it is bytes
        renderer = getattr(self, "accepted_renderer", None)
        if renderer is None or isinstance(renderer, JSONRenderer):
            self["Content-Type"] = "application/json"
            return self._body
        return super().rendered_content


def cached_response(request: Request, rendered: Rendered) -> Response:
    """200 with the cached bytes, or 304 when the client already has them."""
    if not_modified(request, rendered[1]):
        response = Response(status=304)
        response["ETag"] = rendered[1]
        return response
    return RenderedResponse(rendered)
