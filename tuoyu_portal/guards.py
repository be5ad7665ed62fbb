"""One guard per class of hostile input, where that input enters.

- ``InputGuardMiddleware`` (outermost): a NUL byte in the path or query string, and a body
  over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` that is not a file upload, are refused before any view,
  cache or middleware reads them (PostgreSQL cannot store NUL; Django's own size check raised
  an HTML 400 from whichever middleware read the body first).
- ``CommonMiddleware``: Django's, except that a POST/PUT/PATCH/DELETE to an address without its
  trailing slash is a 404 in the error shape (Django raises RuntimeError under DEBUG and
  redirects, dropping the body, otherwise).
- ``DepthLimitedJSONParser``: JSON nested deeper than ``JSON_MAX_DEPTH`` is a 400 parse error
  (the parser's recursion limit was a 500).
- The cursor paginator (api.py) refuses a position that does not fit its ordering field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

JSON_MAX_DEPTH = 32  # no document of the API nests deeper than a handful of levels


def error(request: HttpRequest, code: str, message: str, status: int) -> HttpResponse:
    """The API's error shape for /api/ addresses, a short Chinese page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"errors": [{"code": code, "message": message, "field": None}]}, status=status
        )
    text = escape(message)
    return HttpResponse(
        f"<!doctype html><html lang=zh-hans><meta charset=utf-8><title>{text}</title>"
        f"<p>{text}</p></html>",
        status=status,
        content_type="text/html; charset=utf-8",
    )


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in query or b"\x00" in unquote_to_bytes(query.replace("+", " "))


def _too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False  # file uploads are bounded by the upload rules (uploads.py), not here
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return error(request, "invalid_characters", _("请求地址含有不允许的字符。"), 400)
        if _too_large(request):
            return error(request, "request_too_large", _("请求内容过大。"), 413)
        return self.get_response(request)


class CommonMiddleware(DjangoCommonMiddleware):
    # The stub allows only Django's redirect; any response is passed on.
    def process_request(self, request: HttpRequest) -> HttpResponse | None:  # type: ignore[override]
        if request.method not in ("GET", "HEAD") and self.should_redirect_with_slash(request):
            return error(
                request, "not_found", _("未找到：该地址应以“/”结尾，请检查请求地址。"), 404
            )
        return super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") and response.status_code == 404:
            return response  # never a redirect that would drop the body (or a DEBUG error)
        return super().process_response(request, response)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative, so that measuring a hostile document cannot itself overflow the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("请求内容嵌套过深。")) from None
        if _depth_exceeds(data, JSON_MAX_DEPTH):
            raise ParseError(_("请求内容嵌套过深。"))
        return data


def parse_json(body: bytes | str) -> Any:
    """``json.loads`` for views that read a raw body (the signed push receiver): a document
    nested too deeply is a ValueError like any other unparsable body."""
    import json

    try:
        data = json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _depth_exceeds(data, JSON_MAX_DEPTH):
        raise ValueError("nested too deeply")
    return data
