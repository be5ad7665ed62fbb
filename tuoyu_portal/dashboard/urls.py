"""Dashboard pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.dashboard_export, name="dashboard-export"),
    path("public/stats/", views.public_stats, name="public-stats"),
]
