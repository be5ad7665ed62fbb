"""API routes of the registry app under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from registry.api.views.bans import BanViewSet
from registry.api.views.changes import (
    FilingChangeListView,
    FilingChangeViewSet,
    FilingDeregisterView,
)
from registry.api.views.filings import FilingViewSet
from registry.api.views.inbox import HealthInboxViewSet
from registry.api.views.opendata import DatasetFileView, DatasetListView
from registry.api.views.public import PublicFacilityListView, PublicFilingVerifyView
from registry.api.views.registrations import (
    ImportBatchViewSet,
    InstitutionViewSet,
    RegistrationViewSet,
)
from registry.api.views.staff import FilingStaffDetailView, FilingStaffListView
from registry.api.views.vacancies import FilingVacanciesView
from registry.api.views.watches import PublicWatchCreateView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("registration-imports", ImportBatchViewSet, basename="registration-import")
router.register("health-inbox", HealthInboxViewSet, basename="health-inbox")
router.register("filings", FilingViewSet, basename="filing")
router.register("filing-changes", FilingChangeViewSet, basename="filing-change")
router.register("bans", BanViewSet, basename="ban")

# Explicit paths under a filing go BEFORE the router urls so FilingViewSet never shadows them.
filing_paths = [
    path("filings/<int:pk>/deregister/", FilingDeregisterView.as_view(), name="filing-deregister"),
    path("filings/<int:pk>/changes/", FilingChangeListView.as_view(), name="filing-changes-api"),
    path("filings/<int:pk>/staff/", FilingStaffListView.as_view(), name="filing-staff"),
    path(
        "filings/<int:pk>/staff/<int:staff_id>/",
        FilingStaffDetailView.as_view(),
        name="filing-staff-detail",
    ),
    path("filings/<int:pk>/vacancies/", FilingVacanciesView.as_view(), name="filing-vacancies-api"),
    path("public/facilities/", PublicFacilityListView.as_view(), name="public-facilities-api"),
    path("public/datasets/", DatasetListView.as_view(), name="public-datasets"),
    path("public/watches/", PublicWatchCreateView.as_view(), name="api-public-watch-create"),
    path(
        "public/datasets/<str:file_name>",
        DatasetFileView.as_view(),
        name="public-dataset-file",
    ),
    path(
        "public/filings/<str:filing_number>/",
        PublicFilingVerifyView.as_view(),
        name="public-filing-api",
    ),
]

urlpatterns = [*filing_paths, *router.urls]
