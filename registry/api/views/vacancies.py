"""Free places under a filing: POST /api/v1/filings/{id}/vacancies/."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers.vacancies import (
    VacanciesInputSerializer,
    VacanciesOutputSerializer,
)
from registry.models import Filing
from registry.services.vacancies import publish_vacancies
from registry.vacancies import StaleDays, filed_places_by_class, public_fields, vacancy_of
from tuoyu_portal.http import AuthenticatedRequest


def _out(filing: Filing) -> dict[str, Any]:
    vacancy = vacancy_of(filing)
    return {
        "filing": filing.pk,
        **public_fields(
            by_class=vacancy.by_class if vacancy else None,
            updated_at=vacancy.updated_at if vacancy else None,
            stale_days=lambda: StaleDays()(filing.region_id),
        ),
        "filed_places": filed_places_by_class(filing),
        "monthly_fee": filing.monthly_fee,
        "inclusive": filing.inclusive,
    }


class FilingVacanciesView(APIView):
    """GET the free places last published; POST replaces them (the operator)."""

    def _filing(self, request: AuthenticatedRequest, pk: int) -> Filing:
        # visible_to first: another operator's filing is a 404, not a 403.
        return get_object_or_404(
            Filing.objects.visible_to(request.user).select_related("institution"), pk=pk
        )

    @extend_schema(responses=VacanciesOutputSerializer)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(VacanciesOutputSerializer(_out(self._filing(request, pk))).data)

    @extend_schema(request=VacanciesInputSerializer, responses=VacanciesOutputSerializer)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = self._filing(request, pk)
        data = VacanciesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publish_vacancies(filing, actor=request.user, vacancies=data.validated_data["vacancies"])
        filing = Filing.objects.select_related("vacancy").get(pk=filing.pk)
        return Response(VacanciesOutputSerializer(_out(filing)).data)
