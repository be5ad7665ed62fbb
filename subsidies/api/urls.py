"""API routes of the subsidies app under /api/v1/ (api.md "Subsidies")."""

from rest_framework.routers import DefaultRouter

from subsidies.api.views.batches import PaymentBatchViewSet
from subsidies.api.views.claims import ClaimViewSet
from subsidies.api.views.schemes import SchemeViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("subsidy-schemes", SchemeViewSet, basename="subsidy-scheme")
router.register("subsidy-claims", ClaimViewSet, basename="subsidy-claim")
router.register("payment-batches", PaymentBatchViewSet, basename="payment-batch")

urlpatterns = [*router.urls]
