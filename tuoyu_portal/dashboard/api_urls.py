"""Statistics API routes, included under /api/v1/."""

from django.urls import path

from .api import PublicRegionStatsView, RegionStatsView

urlpatterns = [
    path("stats/regions/<str:code>/", RegionStatsView.as_view(), name="stats-region-api"),
    path(
        "public/stats/regions/<str:code>/",
        PublicRegionStatsView.as_view(),
        name="public-stats-region-api",
    ),
]
