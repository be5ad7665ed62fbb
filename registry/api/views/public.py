"""The public register's JSON endpoints (api.md "Public"): no login, no personal data."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from registry.api.serializers.public import (
    PublicFacilityOutputSerializer,
    PublicFilingOutputSerializer,
)
from registry.models import Filing
from registry.models.filings import suspension_in_force
from registry.selectors.public import (
    address_shown,
    numbered_filings,
    public_filings,
    published_reasons,
    search_filings,
)
from registry.vacancies import StaleDays, public_fields
from tuoyu_portal.api import IdCursorPagination, ValuesListMixin


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
        # pagination_class above: never None.
        paginator = cast(IdCursorPagination, self.paginator)
        cursor = paginator.decode_cursor(self.request) if paginator is not None else None
        newest = None
        if paginator is not None and (cursor is None or not cursor.reverse):
            # page_size is set: never None.
            newest = cast(int, paginator.get_page_size(self.request)) + 1
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
                        stale_days=partial(stale_days, r["region_id"]),
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
        filing = get_object_or_404(numbered_filings(), filing_number=filing_number)
        return Response(self.get_serializer(filing).data)
