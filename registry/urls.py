"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

urlpatterns: list = []

# Registration pages (登记) — feat-reg.
from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("registry.registration_urls"))]

# Registrations (登记) — feat-reg.
from django.urls import path  # noqa: E402

from .views import registrations as registration_views  # noqa: E402

urlpatterns += [
    path("registry/", registration_views.operator_home, name="operator-home"),
    path(
        "registry/registrations/new/",
        registration_views.registration_create,
        name="registration-create",
    ),
    path(
        "registry/registrations/<int:pk>/",
        registration_views.registration_detail,
        name="registration-detail",
    ),
    path(
        "registry/registrations/<int:pk>/edit/",
        registration_views.registration_edit,
        name="registration-edit",
    ),
    path(
        "registry/registrations/<int:pk>/submit/",
        registration_views.registration_submit,
        name="registration-submit",
    ),
    path(
        "registry/institutions/<int:pk>/members/",
        registration_views.institution_members,
        name="institution-members",
    ),
    path("registry/registrar/", registration_views.registrar_queue, name="registrar-queue"),
    path(
        "registry/registrar/registrations/<int:pk>/",
        registration_views.registrar_detail,
        name="registrar-detail",
    ),
    path(
        "registry/registrar/registrations/<int:pk>/<str:action>/",
        registration_views.registrar_decide,
        name="registrar-decide",
    ),
    path(
        "registry/registrar/import/", registration_views.registrar_import, name="registrar-import"
    ),
    path(
        "registry/registrar/import/template.csv",
        registration_views.registrar_import_template,
        name="registrar-import-template",
    ),
    path(
        "registry/registrar/import/<int:pk>/report.csv",
        registration_views.registrar_import_report,
        name="registrar-import-report",
    ),
]
