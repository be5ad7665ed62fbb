"""API routes of the registry app under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .bans import BanViewSet
from .changes import FilingChangeListView, FilingChangeViewSet, FilingDeregisterView
from .public import PublicFacilityListView, PublicFilingVerifyView
from .staff import FilingStaffDetailView, FilingStaffListView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

from registry.api.filings import FilingViewSet  # noqa: E402

router.register("filings", FilingViewSet, basename="filing")

urlpatterns = [*router.urls]

# Registrations (登记) and institutions — feat-reg.
from .registrations import InstitutionViewSet, RegistrationViewSet  # noqa: E402

router.register("registrations", RegistrationViewSet, basename="registration")
router.register("institutions", InstitutionViewSet, basename="institution")

from .inbox import HealthInboxViewSet  # noqa: E402

router.register("health-inbox", HealthInboxViewSet, basename="health-inbox")
urlpatterns = [*router.urls]
router.register("bans", BanViewSet, basename="ban")
router.register("filing-changes", FilingChangeViewSet, basename="filing-change")

# Explicit paths under a filing go BEFORE the router urls so FilingViewSet never shadows them.
staffpub_paths = [
    path("filings/<int:pk>/deregister/", FilingDeregisterView.as_view(), name="filing-deregister"),
    path("filings/<int:pk>/changes/", FilingChangeListView.as_view(), name="filing-changes-api"),
    path("filings/<int:pk>/staff/", FilingStaffListView.as_view(), name="filing-staff"),
    path(
        "filings/<int:pk>/staff/<int:staff_id>/",
        FilingStaffDetailView.as_view(),
        name="filing-staff-detail",
    ),
    path("public/facilities/", PublicFacilityListView.as_view(), name="public-facilities-api"),
    path(
        "public/filings/<str:filing_number>/",
        PublicFilingVerifyView.as_view(),
        name="public-filing-api",
    ),
]

urlpatterns = [*staffpub_paths, *router.urls]

# Bulk import of already-registered institutions — feat-reg.
from .registrations import ImportBatchViewSet  # noqa: E402

router.register("registration-imports", ImportBatchViewSet, basename="registration-import")
urlpatterns = [*staffpub_paths, *router.urls]
