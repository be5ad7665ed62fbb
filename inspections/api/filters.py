"""django-filter sets for the inspections API (the same filters the lists always offered)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from inspections.models import Complaint, CreditRecord, EnforcementAction, Finding, Inspection


class InspectionFilter(filters.FilterSet):
    class Meta:
        model = Inspection
        fields = ["kind", "filing", "institution"]


class FindingFilter(filters.FilterSet):
    class Meta:
        model = Finding
        fields = ["status", "severity", "inspection", "institution"]


class ComplaintFilter(filters.FilterSet):
    class Meta:
        model = Complaint
        fields = ["status"]


class EnforcementActionFilter(filters.FilterSet):
    class Meta:
        model = EnforcementAction
        fields = ["kind", "institution", "correction_status"]


class CreditRecordFilter(filters.FilterSet):
    class Meta:
        model = CreditRecord
        fields = ["institution", "source"]
