"""Statistics API (api.md "Statistics"): the same figures as the dashboard, computed live."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import figures
from .access import parse_year, public_region, region_for

YEAR_PARAM = OpenApiParameter(
    "year", OpenApiTypes.INT, OpenApiParameter.QUERY, description="年度，默认北京时间当前年度"
)


class ComplaintFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    open_overdue = serializers.IntegerField()
    mean_handling_days = serializers.FloatField(allow_null=True)


class RegionStatsOutputSerializer(serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField()
    filed_institutions = serializers.IntegerField()
    places = serializers.IntegerField()
    inclusive_places = serializers.IntegerField()
    inclusive_share = serializers.FloatField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    places_per_1000 = serializers.FloatField(allow_null=True)
    target_per_1000 = serializers.FloatField()
    filings_by_status = serializers.DictField(child=serializers.IntegerField())
    receipts_on_time_rate = serializers.FloatField(allow_null=True)
    receipt_cases = serializers.IntegerField()
    conformity_on_time_rate = serializers.FloatField(allow_null=True)
    conformity_cases = serializers.IntegerField()
    registered_not_filed = serializers.IntegerField()
    inspection_coverage = serializers.FloatField(allow_null=True)
    visited_institutions = serializers.IntegerField()
    open_findings_by_severity = serializers.DictField(child=serializers.IntegerField())
    overdue_findings = serializers.IntegerField()
    complaints = ComplaintFiguresSerializer()
    # Money: decimal strings in 元 with two places (api.md conventions).
    subsidy_paid_by_scheme = serializers.DictField(child=serializers.CharField())

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["subsidy_paid_by_scheme"] = {
            kind: f"{Decimal(value):.2f}"
            for kind, value in instance["subsidy_paid_by_scheme"].items()
        }
        return data


class PublicCountyStatsSerializer(serializers.Serializer):
    """Aggregates of one county: counts, ratios and rates only; no names, no personal data."""

    region = serializers.CharField()
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    filed_institutions = serializers.IntegerField()
    places = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    places_per_1000 = serializers.FloatField(allow_null=True)
    target_per_1000 = serializers.FloatField()
    inclusive_share = serializers.FloatField(allow_null=True)
    receipts_on_time_rate = serializers.FloatField(allow_null=True)
    conformity_on_time_rate = serializers.FloatField(allow_null=True)


class PublicRegionStatsOutputSerializer(PublicCountyStatsSerializer):
    counties = PublicCountyStatsSerializer(many=True)


class RegionStatsView(APIView):
    """Health reviewers and supervisors: their region and any region below it (else 404)."""

    @extend_schema(parameters=[YEAR_PARAM], responses=RegionStatsOutputSerializer)
    def get(self, request: Request, code: str) -> Response:
        region = region_for(request.user, code)
        year = parse_year(request.query_params.get("year"), figures.current_year())
        return Response(RegionStatsOutputSerializer(figures.region_figures(region.code, year)).data)


class PublicRegionStatsView(APIView):
    """Anyone: the anonymised aggregate subset of a region, with its counties' aggregates."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(parameters=[YEAR_PARAM], responses=PublicRegionStatsOutputSerializer)
    def get(self, request: Request, code: str) -> Response:
        region = public_region(code)
        year = parse_year(request.query_params.get("year"), figures.current_year())
        data = figures.public_subset(
            {**figures.region_figures(region.code, year), "region_name": region.name}
        )
        data["counties"] = [
            figures.public_subset(row)
            for row in figures.child_figures(region.code, year, counties=True)
        ]
        return Response(PublicRegionStatsOutputSerializer(data).data)
