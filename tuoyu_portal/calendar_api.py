"""Working-day calculator (api.md 1.1): GET /api/v1/calendar/deadline/?region=&from=&working_days=

Anyone may ask; the answer comes from `working_deadline`, the function every clock uses, so an
operator can check a due date the portal shows them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoyu_portal.exceptions import DomainError, RuleViolation, collect
from tuoyu_portal.regions.calendar import working_deadline
from tuoyu_portal.regions.models import Region

# The holiday arithmetic (lunar dates, solar terms) is kept to years it is verified for, and the
# answer to a few months: the law's clocks are 5 and 15 working days.
FIRST_DAY, LAST_DAY = date(2001, 1, 1), date(2098, 12, 31)
MAX_WORKING_DAYS = 250
_REGION = re.compile(r"^[0-9]{6}$")


class DeadlineOutputSerializer(serializers.Serializer):
    due = serializers.DateField(help_text="第 n 个工作日（起算日不计）")
    provisional = serializers.BooleanField(help_text="所跨年度的国办调休安排尚未载入时为 true")


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]  # not Serializer.errors


def parse_deadline_query(params: Any) -> tuple[str, date, int]:
    """The three parameters, or a 400 naming every bad one (Chinese message, rule code)."""
    problems: list[RuleViolation] = []
    region = str(params.get("region") or "").strip()
    raw_from = str(params.get("from") or "").strip()
    raw_days = str(params.get("working_days") or "").strip()
    if not region:
        problems.append(RuleViolation("required", _("请填写区划代码。"), "region"))
    elif not _REGION.match(region):
        problems.append(RuleViolation("region_invalid", _("区划代码应为6位数字。"), "region"))
    start: date | None = None
    if not raw_from:
        problems.append(RuleViolation("required", _("请填写起算日期。"), "from"))
    else:
        try:
            start = date.fromisoformat(raw_from) if len(raw_from) == 10 else None
        except ValueError:
            start = None
        if start is None:
            problems.append(
                RuleViolation("date_invalid", _("起算日期格式应为YYYY-MM-DD。"), "from")
            )
        elif not FIRST_DAY <= start <= LAST_DAY:
            problems.append(
                RuleViolation("date_out_of_range", _("起算日期应在2001年至2098年之间。"), "from")
            )
    days = 0
    if not raw_days:
        problems.append(RuleViolation("required", _("请填写工作日数。"), "working_days"))
    elif not raw_days.isascii() or not raw_days.isdigit():
        problems.append(
            RuleViolation("working_days_invalid", _("工作日数应为非负整数。"), "working_days")
        )
    else:
        days = int(raw_days)
        if days > MAX_WORKING_DAYS:
            problems.append(
                RuleViolation(
                    "working_days_too_large",
                    _("工作日数不能超过%(max)d。") % {"max": MAX_WORKING_DAYS},
                    "working_days",
                )
            )
    collect(problems)
    assert start is not None
    return region, start, days


class DeadlineView(APIView):
    """The n-th working day after `from` on the region's calendar (overrides of the county, its
    city and province included), and whether a year it crosses is still provisional."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="calendar_deadline",
        parameters=[
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="区划代码（6位）",
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="起算日（不计入）",
            ),
            OpenApiParameter(
                "working_days",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description=f"工作日数（0—{MAX_WORKING_DAYS}）",
            ),
        ],
        responses={
            200: DeadlineOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="参数缺失或无效"),
            404: OpenApiResponse(ErrorSerializer, description="区划不存在"),
        },
    )
    def get(self, request: Request) -> Response:
        region, start, days = parse_deadline_query(request.query_params)
        if not Region.objects.filter(code=region, active=True).exists():
            raise Http404
        try:
            deadline = working_deadline(start, days, region)
        except ValueError as exc:  # beyond the lunar tables; bounded above, kept as a 400
            raise DomainError.single(
                "date_out_of_range", _("日期超出可计算范围。"), "from"
            ) from exc
        return Response(
            DeadlineOutputSerializer(
                {"due": deadline.due, "provisional": deadline.provisional}
            ).data
        )


urlpatterns = [
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
]
