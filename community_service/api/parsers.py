"""JSON bodies with a nesting limit, numbers read exactly.

A JSON number with a fraction or an exponent is read as a Decimal, not a float: `12.500`
and `1.0000000000000001` reach a field as written, as the same digits in a string do, so
a decimal field answers the same whichever JSON type carries the value (a float would
have turned them into 12.5 and 1.0 before any field could count their places).

Python's json module recurses once per level: a body like `{"name": [[[[...5,000 levels...]]]]}`
raised RecursionError, which DRF's JSONParser does not catch (a 500 on every write route).
No request of this API nests more than a few levels, so anything deeper than
MAX_JSON_DEPTH is a 400 `parse_error` that says so, before any view sees the data.
"""

import codecs
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # public in DRF, absent from the stubs
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

MAX_JSON_DEPTH = 64
TOO_DEEP = f"JSON parse error - the body nests deeper than {MAX_JSON_DEPTH} levels of arrays and objects."


def json_depth_exceeds(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `limit` (iterative: no recursion of its own)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False


class JSONParser(DRFJSONParser):
    """DRF's JSONParser, plus a 400 for bodies nested deeper than MAX_JSON_DEPTH and exact decimals."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant, parse_float=Decimal)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        # Fewer brackets than the limit cannot nest past it: skip the walk for ordinary bodies.
        if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth_exceeds(data):
            raise ParseError(TOO_DEEP)
        return data
