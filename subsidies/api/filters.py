"""django-filter sets for the subsidies API."""

from __future__ import annotations

import django_filters

from subsidies.models import Claim, ClaimStatus, PaymentBatch, Scheme, SchemeKind


class SchemeFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_id")
    kind = django_filters.ChoiceFilter(choices=SchemeKind.choices)

    class Meta:
        model = Scheme
        fields = ["region", "kind"]


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    kind = django_filters.ChoiceFilter(choices=SchemeKind.choices)
    audit_flagged = django_filters.BooleanFilter()

    class Meta:
        model = Claim
        fields = ["status", "kind", "filing", "audit_flagged"]


class PaymentBatchFilter(django_filters.FilterSet):
    class Meta:
        model = PaymentBatch
        fields = ["status"]
