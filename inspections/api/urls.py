"""API routes of the inspections app under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("enforcement-actions", views.EnforcementActionViewSet, basename="enforcement")
router.register("credit-records", views.CreditRecordViewSet, basename="credit-record")

urlpatterns = [
    path("inspection-due/", views.InspectionDueView.as_view(), name="api-inspection-due"),
    path(
        "public/complaints/",
        views.PublicComplaintCreateView.as_view(),
        name="api-public-complaint-create",
    ),
    path(
        "public/complaints/<str:tracking_code>/",
        views.PublicComplaintStatusView.as_view(),
        name="api-public-complaint-status",
    ),
    *router.urls,
]
