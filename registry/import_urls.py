"""Bulk import pages (included from registry/urls.py)."""

from django.urls import path

from registry.views import imports as views

urlpatterns = [
    path("registrar/import/", views.registrar_import, name="registrar-import"),
    path(
        "registrar/import/template.csv",
        views.registrar_import_template,
        name="registrar-import-template",
    ),
    path(
        "registrar/import/<int:pk>/report.csv",
        views.registrar_import_report,
        name="registrar-import-report",
    ),
]
