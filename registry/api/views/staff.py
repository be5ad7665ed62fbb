"""The staff roster under a filing: /api/v1/filings/{id}/staff/ (IDs masked on read)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers.staff import (
    StaffMemberCreateInputSerializer,
    StaffMemberOutputSerializer,
    StaffMemberUpdateInputSerializer,
)
from registry.models import Filing, StaffMember
from registry.services import staff as services
from tuoyu_portal.api import IdCursorPagination
from tuoyu_portal.http import AuthenticatedRequest


def _filing(request: AuthenticatedRequest, pk: int) -> Filing:
    # visible_to first: another county's or another operator's filing is a 404, not a 403.
    return get_object_or_404(
        Filing.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


class FilingStaffListView(APIView):
    """GET the roster (active first, then former staff); POST adds a member."""

    pagination_class = IdCursorPagination

    @extend_schema(responses=StaffMemberOutputSerializer(many=True))
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = _filing(request, pk)
        paginator = self.pagination_class()
        rows = StaffMember.objects.filter(institution=filing.institution)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(StaffMemberOutputSerializer(page, many=True).data)

    @extend_schema(
        request=StaffMemberCreateInputSerializer,
        responses={201: StaffMemberOutputSerializer},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        filing = _filing(request, pk)
        data = StaffMemberCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.add_staff_member(
            filing.institution, actor=request.user, data=dict(data.validated_data)
        )
        return Response(StaffMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class FilingStaffDetailView(APIView):
    """GET one member; PATCH edits; DELETE marks them as having left (never a hard delete)."""

    def _member(self, request: AuthenticatedRequest, pk: int, staff_id: int) -> StaffMember:
        filing = _filing(request, pk)
        return get_object_or_404(
            StaffMember.objects.filter(institution=filing.institution), pk=staff_id
        )

    @extend_schema(responses=StaffMemberOutputSerializer)
    def get(self, request: AuthenticatedRequest, pk: int, staff_id: int) -> Response:
        return Response(StaffMemberOutputSerializer(self._member(request, pk, staff_id)).data)

    @extend_schema(request=StaffMemberUpdateInputSerializer, responses=StaffMemberOutputSerializer)
    def patch(self, request: AuthenticatedRequest, pk: int, staff_id: int) -> Response:
        member = self._member(request, pk, staff_id)
        data = StaffMemberUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        member = services.update_staff_member(
            member, actor=request.user, data=dict(data.validated_data)
        )
        return Response(StaffMemberOutputSerializer(member).data)

    @extend_schema(request=None, responses=StaffMemberOutputSerializer)
    def delete(self, request: AuthenticatedRequest, pk: int, staff_id: int) -> Response:
        member = services.end_employment(self._member(request, pk, staff_id), actor=request.user)
        return Response(StaffMemberOutputSerializer(member).data)
