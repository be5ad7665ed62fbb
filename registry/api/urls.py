"""API routes of the registry app under /api/v1/."""

from rest_framework.routers import DefaultRouter

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

# Bulk import of already-registered institutions — feat-reg.
from .registrations import ImportBatchViewSet  # noqa: E402

router.register("registration-imports", ImportBatchViewSet, basename="registration-import")
urlpatterns = [*router.urls]
