"""Response shapes of the public register: no personal data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.models import Filing
from registry.selectors.public import (
    public_address,
    published_reasons,
)
from registry.vacancies import StaleDays, public_fields, vacancy_of


def _stale_days(context: Mapping[str, Any]) -> StaleDays:
    # One memo per response: the rule is read once per region, not once per row.
    memo = cast(dict[str, Any], context)  # contexts here are dicts
    return memo.setdefault("vacancy_stale_days", StaleDays())


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
        return self._vacancy_fields(filing)["vacancies"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_vacancies_updated_on(self, filing: Filing) -> str | None:
        return self._vacancy_fields(filing)["vacancies_updated_on"]

    @extend_schema_field(serializers.BooleanField())
    def get_vacancies_stale(self, filing: Filing) -> bool:
        return self._vacancy_fields(filing)["vacancies_stale"]

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
