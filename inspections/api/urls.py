"""API routes of the inspections app under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from inspections.api.views.complaints import (
    ComplaintViewSet,
    PublicComplaintCreateView,
    PublicComplaintStatusView,
)
from inspections.api.views.credit import CreditRecordViewSet
from inspections.api.views.enforcement import EnforcementActionViewSet
from inspections.api.views.findings import FindingViewSet
from inspections.api.views.inspections import InspectionDueView, InspectionViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("enforcement-actions", EnforcementActionViewSet, basename="enforcement")
router.register("credit-records", CreditRecordViewSet, basename="credit-record")

urlpatterns = [
    path("inspection-due/", InspectionDueView.as_view(), name="api-inspection-due"),
    path(
        "public/complaints/",
        PublicComplaintCreateView.as_view(),
        name="api-public-complaint-create",
    ),
    path(
        "public/complaints/<str:tracking_code>/",
        PublicComplaintStatusView.as_view(),
        name="api-public-complaint-status",
    ),
    *router.urls,
]
