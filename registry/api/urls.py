"""API routes of the registry app under /api/v1/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

from registry.api.filings import FilingViewSet  # noqa: E402

router.register("filings", FilingViewSet, basename="filing")

urlpatterns = [*router.urls]
