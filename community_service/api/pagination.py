"""The seed's page envelope: {"items", "total", "page", "page_size", "pages"}."""

import math
from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        # Out-of-range and malformed values are the client's mistake: say which one.
        self._validate_positive_int(request, self.page_query_param, maximum=None)
        self._validate_positive_int(request, self.page_size_query_param, maximum=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _validate_positive_int(request: Request, name: str, *, maximum: int | None) -> None:
        raw = request.query_params.get(name)
        if raw is None:
            return
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: ["A positive integer is required."]}) from None
        if value < 1 or (maximum is not None and value > maximum):
            limit = f" between 1 and {maximum}" if maximum else " of at least 1"
            raise ValidationError({name: [f"Must be an integer{limit}."]})

    def get_paginated_response(self, data: list) -> Response:
        return Response(self.envelope(data))

    def envelope(self, data: list) -> dict[str, Any]:
        total = self.page.paginator.count
        page_size = self.page.paginator.per_page
        return {
            "items": data,
            "total": total,
            "page": self.page.number,
            "page_size": page_size,
            "pages": math.ceil(total / page_size) if total else 0,
        }

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["items", "total", "page", "page_size", "pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 42},
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": 20},
                "pages": {"type": "integer", "example": 3},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Items per page (default {self.page_size}, max {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
