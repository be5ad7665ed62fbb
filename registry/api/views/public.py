"""The public register's JSON endpoints (api.md "Public"): no login, no personal data."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from registry.models import Filing
from registry.models.filings import suspension_in_force
from registry.selectors.public import (
    address_shown,
    public_address,
    public_filings,
    published_reasons,
    search_filings,
)
from registry.vacancies import StaleDays, public_fields, vacancy_of
from tuoyu_portal.api import IdCursorPagination, ValuesListMixin


def _stale_days(context: dict[str, Any]) -> StaleDays:
    # One memo per response: the rule is read once per region, not once per row.
    return context.setdefault("vacancy_stale_days", StaleDays())  # type: ignore[no-any-return]


class PublicFacilityOutputSerializer(serializers.ModelSerializer[Filing]):
    name = serializers.CharField(source="institution.name")
    region = serializers.CharField(source="region_id")
    region_name = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    latest_inspection = serializers.JSONField()
    nonconformity_reasons = serializers.SerializerMethodField()
    # An order to stop service in force (api.md 1.1): flagged on the register until lifted.
    suspended = serializers.SerializerMethodField()
    # free places per class type, the day they were published, stale past the rule.
    vacancies = serializers.SerializerMethodField()
    vacancies_updated_on = serializers.SerializerMethodField()
    vacancies_stale = serializers.SerializerMethodField()

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
            "suspended",
            "vacancies",
            "vacancies_updated_on",
            "vacancies_stale",
        ]

    def get_suspended(self, filing: Filing) -> bool:
        return filing.is_suspended()

    def _vacancy_fields(self, filing: Filing) -> dict[str, Any]:
        vacancy = vacancy_of(filing)
        return public_fields(
            by_class=vacancy.by_class if vacancy else None,
            updated_at=vacancy.updated_at if vacancy else None,
            stale_days=lambda: _stale_days(self.context)(filing.region_id),
        )

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_vacancies(self, filing: Filing) -> list[dict[str, Any]]:
        return self._vacancy_fields(filing)["vacancies"]  # type: ignore[no-any-return]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_vacancies_updated_on(self, filing: Filing) -> str | None:
        return self._vacancy_fields(filing)["vacancies_updated_on"]  # type: ignore[no-any-return]

    @extend_schema_field(serializers.BooleanField())
    def get_vacancies_stale(self, filing: Filing) -> bool:
        return self._vacancy_fields(filing)["vacancies_stale"]  # type: ignore[no-any-return]

    def get_region_name(self, filing: Filing) -> str:
        return filing.region.full_name or filing.region.name

    def get_address(self, filing: Filing) -> str:
        return public_address(filing)

    @extend_schema_field(serializers.ListField(child=serializers.JSONField()))
    def get_nonconformity_reasons(self, filing: Filing) -> list[Any]:
        return published_reasons(filing.status, filing.nonconformity_reasons)


class PublicFilingOutputSerializer(serializers.ModelSerializer[Filing]):
    name = serializers.CharField(source="institution.name")
    region = serializers.CharField(source="region_id")
    valid = serializers.SerializerMethodField()
    suspended = serializers.SerializerMethodField()

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
            "suspended",
        ]

    def get_valid(self, filing: Filing) -> bool:
        # While an order to stop service is in force the receipt is genuine but not valid.
        return filing.status in Filing.PUBLIC_STATUSES and not filing.is_suspended()

    def get_suspended(self, filing: Filing) -> bool:
        return filing.is_suspended()


@extend_schema(
    parameters=[
        OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，含下级区划"),
        OpenApiParameter("care_mode", OpenApiTypes.STR),
        OpenApiParameter("inclusive", OpenApiTypes.BOOL),
        OpenApiParameter("q", OpenApiTypes.STR, description="机构名称（任意连续字）"),
        OpenApiParameter("has_vacancy", OpenApiTypes.BOOL, description="有空余托位"),
    ]
)
class PublicFacilityListView(ValuesListMixin, generics.ListAPIView[Filing]):
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
        # Newest first, forwards: the search may look for exactly the page's rows among the
        # newest filings first (registry.selectors.public.newest_name_matches).
        paginator = self.paginator
        cursor = paginator.decode_cursor(self.request) if paginator is not None else None
        newest = None
        if paginator is not None and (cursor is None or not cursor.reverse):
            newest = paginator.get_page_size(self.request) + 1
        before = None
        if cursor and cursor.position:
            if not str(cursor.position).isdigit():  # a forged cursor, as DRF answers one
                raise NotFound(paginator.invalid_cursor_message)
            before = int(cursor.position)
        return search_filings(
            public_filings(),
            region=region if region.isdigit() and len(region) == 6 else "",
            care_mode=params.get("care_mode", ""),
            inclusive=inclusive,
            q=params.get("q", "")[:50],
            has_vacancy=params.get("has_vacancy", "").lower() in ("true", "1"),
            newest=newest,
            before=before,
        )

    # The public card from .values() rows (tests/performance/test_lean_lists.py).
    list_values = (
        "id",
        "filing_number",
        "institution__name",
        "institution__address",
        "institution__home_based",
        "region_id",
        "region__name",
        "region__full_name",
        "care_modes",
        "places",
        "inclusive",
        "monthly_fee",
        "status",
        "latest_inspection",
        "nonconformity_reasons",
        "suspension",
        "vacancy__by_class",
        "vacancy__updated_at",
    )

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shaped = []
        stale_days = StaleDays()
        for r in rows:
            region_name = r["region__full_name"] or r["region__name"]
            fee = r["monthly_fee"]
            shaped.append(
                {
                    "filing_number": r["filing_number"],
                    "name": r["institution__name"],
                    "region": r["region_id"],
                    "region_name": region_name,
                    "address": address_shown(
                        home_based=r["institution__home_based"],
                        region_name=region_name,
                        address=r["institution__address"],
                    ),
                    "care_modes": r["care_modes"],
                    "places": r["places"],
                    "inclusive": r["inclusive"],
                    "monthly_fee": None if fee is None else f"{fee:.2f}",
                    "status": r["status"],
                    "latest_inspection": r["latest_inspection"],
                    "nonconformity_reasons": published_reasons(
                        r["status"], r["nonconformity_reasons"]
                    ),
                    "suspended": suspension_in_force(r["suspension"]),
                    **public_fields(
                        by_class=r["vacancy__by_class"],
                        updated_at=r["vacancy__updated_at"],
                        stale_days=lambda r=r: stale_days(r["region_id"]),
                    ),
                }
            )
        return shaped


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
