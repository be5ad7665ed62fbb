"""Open data endpoints (api.md 1.1 "Open data"): the index and the stored files."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import opendata
from registry.api.serializers.opendata import DatasetListOutputSerializer
from registry.models import PublishedDataset

TITLES = {
    "facilities": (
        _("托育机构备案公开信息"),
        _("已备案、不符合设置标准（公开原因）和停止办理中的托育机构；不含个人信息。"),
    ),
    "regions": (
        _("分地区托育服务统计"),
        _("按县（市、区）汇总的公开托育机构数、托位数、普惠机构数和空余托位。"),
    ),
}


class DatasetListView(APIView):
    """Every published dataset with its schema version, fields, changelog and files."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(operation_id="public_datasets_list", responses=DatasetListOutputSerializer)
    def get(self, request: Request) -> Response:
        contract = opendata.schema()
        stored = {row.name: row for row in PublishedDataset.objects.defer("content")}
        results = []
        for name, (title, description) in TITLES.items():
            entry = contract[name]
            distributions = []
            for fmt, media_type in opendata.FORMATS.items():
                file_name = f"{name}.{fmt}"
                row = stored.get(file_name)
                distributions.append(
                    {
                        "format": fmt,
                        "url": request.build_absolute_uri(
                            reverse("public-dataset-file", args=[file_name])
                        ),
                        "media_type": media_type,
                        "etag": row.etag if row else None,
                        "last_modified": row.built_at if row else None,
                        "rows": row.rows if row else None,
                    }
                )
            results.append(
                {
                    "name": name,
                    "title": title,
                    "description": description,
                    "schema_version": entry["changelog"][-1]["version"],
                    "fields": entry["changelog"][-1]["fields"],
                    "changelog": [
                        {k: v for k, v in change.items() if k != "fields"}
                        for change in entry["changelog"]
                    ],
                    "distributions": distributions,
                }
            )
        data = {"next": None, "previous": None, "results": results}
        return Response(DatasetListOutputSerializer(data).data)


class PassthroughRenderer(BaseRenderer):
    """The stored bytes go out as they are; any Accept header is fine."""

    media_type = "*/*"
    format = "file"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


def _not_modified(request: Request, row: PublishedDataset) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since."""
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or row.etag in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(row.built_at.timestamp()) <= since


class DatasetFileView(APIView):
    """A dataset file as stored by the last build, with ETag / Last-Modified; 304 when unchanged."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    renderer_classes = [PassthroughRenderer]

    @extend_schema(
        operation_id="public_dataset_file",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 304: None},
    )
    def get(self, request: Request, file_name: str) -> HttpResponseBase:
        dataset, _sep, fmt = file_name.partition(".")
        if dataset not in TITLES or fmt not in opendata.FORMATS:
            raise Http404
        row = PublishedDataset.objects.filter(name=file_name).first()
        if row is None:  # first request after a deployment: build once, then serve as stored
            opendata.rebuild()
            row = PublishedDataset.objects.get(name=file_name)
        headers = {
            "ETag": quote_etag(row.etag.strip('"')),
            "Last-Modified": http_date(row.built_at.timestamp()),
            "Cache-Control": "public, max-age=300",
            "X-Schema-Version": row.schema_version,
        }
        if _not_modified(request, row):
            response: HttpResponseBase = HttpResponseNotModified(headers=headers)
            return response
        response = HttpResponse(bytes(row.content), content_type=row.content_type, headers=headers)
        response["Content-Disposition"] = f'inline; filename="{file_name}"'
        return response
