"""The public register's JSON endpoints (api.md "Public"): no login, no personal data."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from registry.models import Filing
from registry.public import public_address, public_filings, search_filings
from tuoyu_portal.api import IdCursorPagination


class PublicFacilityOutputSerializer(serializers.ModelSerializer[Filing]):
    name = serializers.CharField(source="institution.name")
    region = serializers.CharField(source="region_id")
    region_name = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    latest_inspection = serializers.JSONField()
    nonconformity_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "filing_number",
            "name",
            "region",
            "region_name",
            "address",
            "care_modes",
            "places",
            "inclusive",
            "monthly_fee",
            "status",
            "latest_inspection",
            "nonconformity_reasons",
        ]

    def get_region_name(self, filing: Filing) -> str:
        return filing.region.full_name or filing.region.name

    def get_address(self, filing: Filing) -> str:
        return public_address(filing)

    @extend_schema_field(serializers.ListField(child=serializers.JSONField()))
    def get_nonconformity_reasons(self, filing: Filing) -> list[Any]:
        # Published only while the filing is nonconforming (25号 §9: notify with reasons, public).
        if filing.status == Filing.Status.NONCONFORMING:
            return list(filing.nonconformity_reasons or [])
        return []


class PublicFilingOutputSerializer(serializers.ModelSerializer[Filing]):
    name = serializers.CharField(source="institution.name")
    region = serializers.CharField(source="region_id")
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "filing_number",
            "name",
            "region",
            "status",
            "filed_on",
            "places",
            "care_modes",
            "valid",
        ]

    def get_valid(self, filing: Filing) -> bool:
        return filing.status in Filing.PUBLIC_STATUSES


@extend_schema(
    parameters=[
        OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，含下级区划"),
        OpenApiParameter("care_mode", OpenApiTypes.STR),
        OpenApiParameter("inclusive", OpenApiTypes.BOOL),
        OpenApiParameter("q", OpenApiTypes.STR, description="机构名称（任意连续字）"),
    ]
)
class PublicFacilityListView(generics.ListAPIView[Filing]):
    """Filed, nonconforming and closing institutions; never drafts or deregistered ones."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = PublicFacilityOutputSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        params = self.request.query_params
        inclusive_raw = params.get("inclusive", "").lower()
        inclusive = {"true": True, "1": True, "false": False, "0": False}.get(inclusive_raw)
        region = params.get("region", "")
        return search_filings(
            public_filings(),
            region=region if region.isdigit() and len(region) == 6 else "",
            care_mode=params.get("care_mode", ""),
            inclusive=inclusive,
            q=params.get("q", "")[:50],
        )


class PublicFilingVerifyView(generics.GenericAPIView[Filing]):
    """Is this 备案回执 genuine and current? Unknown numbers are 404."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = PublicFilingOutputSerializer
    queryset = Filing.objects.none()

    def get(self, request: Request, filing_number: str) -> Response:
        filing = get_object_or_404(
            Filing.objects.select_related("institution").exclude(filing_number=""),
            filing_number=filing_number,
        )
        return Response(self.get_serializer(filing).data)
