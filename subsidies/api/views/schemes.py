"""Subsidy schemes in force (read-only)."""

from __future__ import annotations

from rest_framework import viewsets

from subsidies.api.filters import SCHEME_FILTERS
from subsidies.api.serializers.schemes import SchemeOutputSerializer
from subsidies.models import Scheme


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Subsidy schemes per region with effective dates (public policy: any signed-in user reads;
    admins edit them in the Django admin)."""

    serializer_class = SchemeOutputSerializer
    filter_params = SCHEME_FILTERS
    queryset = Scheme.objects.all()
