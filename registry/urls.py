"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

from django.urls import path

from registry.views import bulk_import, filings, inbox, parents, public, registrations, staff

urlpatterns = [
    # Registration (登记): the operator's applications and the registrar's queue.
    path("operator/", registrations.operator_home, name="operator-home"),
    path("registrations/new/", registrations.registration_create, name="registration-create"),
    path("registrations/<int:pk>/", registrations.registration_detail, name="registration-detail"),
    path("registrations/<int:pk>/edit/", registrations.registration_edit, name="registration-edit"),
    path(
        "registrations/<int:pk>/submit/",
        registrations.registration_submit,
        name="registration-submit",
    ),
    path("registrar/", registrations.registrar_queue, name="registrar-queue"),
    path(
        "registrar/registrations/<int:pk>/",
        registrations.registration_detail,
        name="registrar-registration",
    ),
    path(
        "registrar/registrations/<int:pk>/<str:decision>/",
        registrations.registrar_decide,
        name="registrar-decide",
    ),
    path(
        "institutions/<int:pk>/members/",
        registrations.institution_members,
        name="institution-members",
    ),
    # Bulk import of already-registered institutions.
    path("registrar/import/", bulk_import.registrar_import, name="registrar-import"),
    path(
        "registrar/import/template.csv",
        bulk_import.registrar_import_template,
        name="registrar-import-template",
    ),
    path(
        "registrar/import/<int:pk>/report.csv",
        bulk_import.registrar_import_report,
        name="registrar-import-report",
    ),
    # Health inbox of pushed registrations.
    path("registry/health-inbox/", inbox.health_inbox, name="health-inbox"),
    # Filing (备案): the operator's wizard and the county reviewer's queue.
    path("filings/start/", filings.filing_start, name="filing-start"),
    path("filings/<int:pk>/", filings.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/edit/", filings.filing_edit, name="filing-edit"),
    path("filings/<int:pk>/readiness/", filings.filing_readiness, name="filing-readiness"),
    path("review/filings/", filings.reviewer_queue, name="reviewer-queue"),
    path("review/filings/<int:pk>/", filings.reviewer_filing, name="reviewer-filing"),
    # Public register (no login), watches and free places.
    path("public/", public.public_search, name="public-search"),
    path(
        "public/facilities/<str:filing_number>/",
        public.public_facility,
        name="public-facility",
    ),
    path("verify/<str:filing_number>/", public.verify, name="verify"),
    path(
        "public/facilities/<str:filing_number>/watch/",
        parents.watch_new,
        name="public-watch-new",
    ),
    path(
        "public/watches/confirm/<str:token>/",
        parents.watch_confirm,
        name="public-watch-confirm",
    ),
    path(
        "public/watches/unsubscribe/<str:token>/",
        parents.watch_unsubscribe,
        name="public-watch-unsubscribe",
    ),
    path("filings/<int:pk>/vacancies/", parents.filing_vacancies, name="filing-vacancies"),
    # Staff roster, change filings, closure and the ban register.
    path("registry/filings/<int:pk>/staff/", staff.staff_roster, name="staff-roster"),
    path(
        "registry/filings/<int:pk>/staff/<int:staff_id>/",
        staff.staff_edit,
        name="staff-edit",
    ),
    path("registry/changes/", staff.filing_changes, name="filing-changes"),
    path(
        "registry/filings/<int:pk>/changes/new/",
        staff.filing_change_create,
        name="filing-change-create",
    ),
    path("registry/changes/<int:pk>/", staff.filing_change_detail, name="filing-change-detail"),
    path(
        "registry/filings/<int:pk>/deregister/",
        staff.filing_deregister,
        name="filing-deregister-page",
    ),
    path("registry/bans/", staff.ban_register, name="ban-register"),
    path("registry/bans/<int:pk>/correct/", staff.ban_correct, name="ban-correct"),
]
