"""Credit records of institutions and people (read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from inspections.api.filters import CreditRecordFilter
from inspections.api.serializers.credit import CreditRecordOutputSerializer
from inspections.models import (
    CreditRecord,
)
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.http import AuthenticatedRequest


class CreditRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Credit records (诚信档案) with the reason and points of each entry. Staff may look a person
    up by ID number (`?id_number=`, hashed, never stored or echoed in clear)."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = CreditRecordOutputSerializer
    filterset_class = CreditRecordFilter

    def get_queryset(self) -> QuerySet[CreditRecord]:
        qs = CreditRecord.objects.visible_to(self.request.user)
        id_number = self.request.query_params.get("id_number")
        if id_number and self.request.user.role != Role.OPERATOR:
            from tuoyu_portal import crypto

            qs = qs.filter(person_id_hash=crypto.keyed_hash(id_number))
        return qs
