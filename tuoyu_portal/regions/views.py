"""Rules in force (api.md 1.1): `GET /api/v1/rules/?region=&on=` and `/public/rules/<code>/`.

Reads only; both answer from `rules.rules_in_force`, so the page and the API cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Region
from .rules import Resolved, group_of, rules_in_force

LEVEL_LABELS = {
    "national": _("全国"),
    "province": _("省级"),
    "city": _("市级"),
    "county": _("县级"),
}


class RuleOutputSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]  # not Field.label
    value = serializers.JSONField()
    unit = serializers.SerializerMethodField()
    level = serializers.CharField()
    source_region = serializers.CharField(allow_null=True)
    basis = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)

    def get_label(self, item: Resolved) -> str:
        return str(item.spec.label)

    def get_unit(self, item: Resolved) -> str:
        return str(item.spec.unit)


def _parse_on(raw: str | None) -> date | None:
    """The `on` parameter: today when absent, None when it is not an ISO date."""
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _region(code: str) -> Region | None:
    if not (len(code) == 6 and code.isdigit()):
        return None
    return Region.objects.filter(code=code).first()


@extend_schema(
    parameters=[
        OpenApiParameter("region", OpenApiTypes.STR, required=True, description="行政区划代码"),
        OpenApiParameter("on", OpenApiTypes.DATE, description="日期（默认今天）"),
    ],
    responses=RuleOutputSerializer(many=True),
)
class RulesInForceView(APIView):
    """Every rule in force for a region on a day, with its level, source region and basis."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        on = _parse_on(request.query_params.get("on"))
        if on is None:
            raise ValidationError(
                {
                    "on": [
                        serializers.ErrorDetail(
                            gettext("日期格式应为 YYYY-MM-DD。"), code="invalid"
                        )
                    ]
                }
            )
        code = request.query_params.get("region", "")
        if not code:
            raise ValidationError(
                {
                    "region": [
                        serializers.ErrorDetail(gettext("请指定行政区划代码。"), code="required")
                    ]
                }
            )
        region = _region(code)
        if region is None:
            raise NotFound(gettext("没有这个行政区划。"))
        items = rules_in_force(region.code, on)
        return Response(RuleOutputSerializer(items, many=True).data)


def _shown_value(item: Resolved) -> str:
    """A value as a person reads it: 是/否, a number with its unit, an office's name."""
    value, spec = item.value, item.spec
    if value is None or value == "":
        return gettext("未设定")
    if spec.kind == "bool":
        return gettext("是") if value else gettext("否")
    if spec.kind == "choice":
        return str(AUTHORITY_LABELS.get(value, value))
    if spec.kind == "list":
        return "、".join(value) if value else gettext("未设定")
    if spec.kind == "records":
        # An entry reads as its text (a checklist item) or its label (a material).
        shown = [str(entry.get("label") or entry.get("text") or "") for entry in value]
        return "；".join(shown) if shown else gettext("未设定")
    return f"{value}{spec.unit}"


AUTHORITY_LABELS = {
    "bianban": _("机构编制部门"),
    "minzheng": _("民政部门"),
    "scjg": _("市场监管部门"),
    "xzsp": _("行政审批服务部门"),
}


def public_rules(request: HttpRequest, code: str) -> HttpResponse:
    """The rules that bind a region, grouped, each with where it comes from and what it cites."""
    region = _region(code)
    if region is None:
        raise Http404
    on = _parse_on(request.GET.get("on")) or timezone.localdate()
    regions = {
        r.code: r.full_name or r.name
        for r in Region.objects.filter(code__in=[code[:2] + "0000", code[:4] + "00", code])
    }
    groups: dict[str, dict[str, Any]] = {}
    for item in rules_in_force(region.code, on):
        group, title = group_of(item.key)
        groups.setdefault(group, {"code": group, "title": title, "rows": []})["rows"].append(
            {
                "label": item.spec.label,
                "value": _shown_value(item),
                "level": LEVEL_LABELS[item.level],
                "local": item.level != "national",
                "source_region": regions.get(item.source_region or "", ""),
                "basis": item.basis,
                "quote": item.quote,
                "valid_from": item.valid_from,
                "valid_to": item.valid_to,
                "unconfirmed": item.spec.mark == "?",
            }
        )
    return render(
        request,
        "regions/public_rules.html",
        {"region": region, "on": on, "groups": list(groups.values())},
    )
