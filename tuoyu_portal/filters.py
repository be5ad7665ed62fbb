"""Equality filters on choice and yes/no query parameters, without building a form.

django-filter builds a FilterSet and a Django form on every request; for the queues' two or three
equality filters that cost more than the query it filtered. A view lists its filters in
`filter_params` (query parameter → a `Choices` class or `bool`); bad values are a 400 with the
same error shape and codes as before (`invalid_choice`, `invalid`), and the parameters appear in
the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Choices, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class ChoiceFilterBackend(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        errors: dict[str, list[ErrorDetail]] = {}
        for name, kind in getattr(view, "filter_params", {}).items():
            raw = request.query_params.get(name, "")
            if raw == "":
                continue
            if kind is bool:
                value = _BOOLEANS.get(raw.lower())
                if value is None:
                    errors[name] = [ErrorDetail(str(_("应为 true 或 false。")), code="invalid")]
                    continue
            elif raw in kind.values:
                value = raw
            else:
                errors[name] = [ErrorDetail(str(_("不是有效的选项。")), code="invalid_choice")]
                continue
            queryset = queryset.filter(**{name: value})
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = []
        for name, kind in getattr(view, "filter_params", {}).items():
            schema: dict[str, Any] = (
                {"type": "boolean"}
                if kind is bool
                else {"type": "string", "enum": list(_enum_values(kind))}
            )
            parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
        return parameters


def _enum_values(kind: type[Choices]) -> list[Any]:
    return [value for value, _label in kind.choices]
