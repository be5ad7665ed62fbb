"""API plumbing: the single exception handler and pagination (api.md "Conventions")."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, models
from django.db.models import Choices
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import DomainError, NotFound

# Chinese messages for DRF's generic error codes, so every error a person reads is Chinese first.
_GENERIC_MESSAGES: dict[str, Any] = {
    "required": _("此字段为必填项。"),
    "null": _("此字段不能为空。"),
    "blank": _("此字段不能为空。"),
    "invalid": _("格式不正确。"),
    "invalid_choice": _("不是有效的选项。"),
    "max_length": _("内容过长。"),
    "min_value": _("数值过小。"),
    "max_value": _("数值过大。"),
    "not_a_list": _("应为列表。"),
    "empty": _("不能为空列表。"),
    "does_not_exist": _("对象不存在或不在您的管辖范围内。"),
    "incorrect_type": _("类型不正确。"),
    "not_authenticated": _("请先登录。"),
    "authentication_failed": _("身份验证失败。"),
    "permission_denied": _("您无权执行此操作。"),
    "not_found": _("未找到，或不在您的管辖范围内。"),
    "method_not_allowed": _("不支持该请求方法。"),
    "unsupported_media_type": _("不支持的请求内容类型。"),
    "parse_error": _("请求内容无法解析。"),
    "throttled": _("请求过于频繁，请稍后再试。"),
    "not_acceptable": _("无法提供所请求的格式。"),
}


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, str | None]]:
    """Turn DRF's nested error detail into api.md's flat list of {code, message, field}."""
    errors: list[dict[str, str | None]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else key
            errors.extend(_flatten(value, f"{field}.{name}" if field and name else (name or field)))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, drf_exceptions.ErrorDetail):
                errors.extend(_flatten(value, f"{field}[{index}]" if field else str(index)))
            else:
                errors.extend(_flatten(value, field))
    else:
        code = getattr(detail, "code", None) or "invalid"
        message = str(detail)
        # DRF's English defaults get a Chinese message; our own messages pass through.
        if message.isascii() and code in _GENERIC_MESSAGES:
            message = str(_GENERIC_MESSAGES[code])
        errors.append({"code": str(code), "message": message, "field": field})
    return errors


def error_response(errors: list[dict[str, str | None]], status_code: int) -> Response:
    return Response({"errors": errors}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error in one shape: {"errors": [{"code", "message", "field"}]}."""
    if isinstance(exc, DomainError):
        return error_response([v.as_dict() for v in exc.violations], exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        errors = []
        for key, messages in detail.items():
            for message in messages:
                errors.append(
                    {
                        "code": "invalid",
                        "message": str(message),
                        "field": None if key == "__all__" or key == "non_field_errors" else key,
                    }
                )
        return error_response(errors, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | NotFound):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, DatabaseError) and "value too long" in str(exc):
            return error_response(
                [{"code": "invalid", "message": str(_("内容过长。")), "field": None}], 400
            )
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        errors = (
            _flatten({"detail": exc.detail})
            if not isinstance(exc.detail, dict)
            else _flatten(exc.detail)
        )
        for error in errors:
            error["code"] = getattr(exc, "default_code", error["code"]) or error["code"]
            if error["code"] in _GENERIC_MESSAGES and str(error["message"]).isascii():
                error["message"] = str(_GENERIC_MESSAGES[error["code"]])
    response.data = {"errors": errors}
    return response


_BIGINT_MAX = 2**63 - 1


class IdCursorPagination(CursorPagination):
    """Keyset pagination: no COUNT, no OFFSET on large tables; newest first by default.

    A cursor is client input: its position must fit the ordering field, or the query it feeds
    fails in the database (a forged ``p=abc`` was a 500). Any cursor that does
    not decode to a valid position is a 404, as DRF answers for an undecodable one.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    _position_field: models.Field[Any, Any] | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        self._position_field = self._field(queryset.model, ordering[0].lstrip("-"))
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _field(model: type[models.Model], path: str) -> models.Field[Any, Any] | None:
        field: Any = None
        for part in path.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            if field.is_relation and field.related_model is not None:
                model = field.related_model
        return field if isinstance(field, models.Field) else None

    def decode_cursor(self, request: Request) -> Any:
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        position = cursor.position
        try:
            if "\x00" in position:
                raise ValueError("NUL in cursor")
            if self._position_field is not None:
                value = self._position_field.to_python(position)
                if isinstance(value, int) and abs(value) > _BIGINT_MAX:
                    raise ValueError("out of range")
        except (DjangoValidationError, TypeError, ValueError, OverflowError):
            raise drf_exceptions.NotFound(self.invalid_cursor_message) from None
        return cursor


def cursor_pagination(*fields: str) -> type[IdCursorPagination]:
    """A cursor paginator ordered by `fields`, e.g. ("submitted_at", "id") for oldest-first queues."""
    return type(
        "CursorPagination_" + "_".join(f.lstrip("-") for f in fields),
        (IdCursorPagination,),
        {"ordering": fields},
    )


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (local time zone, ISO 8601, 'Z' for UTC)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def labels(choices: type[Choices]) -> dict[Any, str]:
    """Choice value → label in the request's language, resolved once per page, not per row."""
    return {value: str(label) for value, label in choices.choices}


class ValuesListMixin:
    """List pages built from `.values()` rows instead of model instances and a ModelSerializer.

    Why: on a 50-row page, instantiating models and running DRF fields cost 5-10x the SQL
    (docs/performance.md). The detail view keeps its serializer; `list_values` names the
    columns a list row needs and `shape_rows` turns them into exactly the documented fields
    (tests compare the two outputs field by field, so the contract cannot drift).
    """

    list_values: tuple[str, ...] = ()

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        queryset = view.filter_queryset(view.get_queryset()).prefetch_related(None)
        page = view.paginate_queryset(queryset.values(*self.list_values))
        if page is None:
            return Response(self.shape_rows(list(queryset.values(*self.list_values))))
        return view.get_paginated_response(self.shape_rows(page))


# ── OpenAPI: the error answers, documented once for every operation  ────────
ERROR_COMPONENT = "ApiError"
_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": 'The single error shape (api.md "Conventions").',
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": "string", "nullable": True},
                },
                "required": ["code", "message", "field"],
            },
        }
    },
    "required": ["errors"],
}
_ERROR_DESCRIPTIONS: dict[str, str] = {
    "400": "Broken rules, malformed input or a bad cursor position; every rule code listed.",
    "401": "No valid credentials (missing, unknown, revoked or expired token).",
    "403": "Signed in, but this role may not do this.",
    "404": "Not found, or outside the caller's jurisdiction; also a malformed cursor.",
    "409": "The object's status does not allow this transition.",
    "413": "The request body is larger than the limit.",
    "429": "Too many requests, or too many failed sign-ins.",
}


def document_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the error answers an operation can give where
    the view did not document them itself (a 409 only on writes; a 413 where there is a body)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = _ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method in ("post", "put", "patch", "delete"):
                codes.append("409")
            if "requestBody" in operation:
                codes.append("413")
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": _ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
