"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

urlpatterns: list = []

# Registration pages (登记) — feat-reg.
from django.urls import include, path  # noqa: E402

urlpatterns += [path("", include("registry.registration_urls"))]

# Bulk import of already-registered institutions — feat-reg.
urlpatterns += [path("", include("registry.import_urls"))]

# Health inbox of pushed registrations — feat-exchange.
from . import views_inbox  # noqa: E402

urlpatterns += [
    path("registry/health-inbox/", views_inbox.health_inbox, name="health-inbox"),
]

# Filing (备案) pages: operator wizard and the county reviewer's queue — feat-filing.
from registry import filing_views  # noqa: E402

urlpatterns += [
    path("filings/start/", filing_views.filing_start, name="filing-start"),
    path("filings/<int:pk>/", filing_views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/edit/", filing_views.filing_edit, name="filing-edit"),
    path("filings/<int:pk>/readiness/", filing_views.filing_readiness, name="filing-readiness"),
    path("review/filings/", filing_views.reviewer_queue, name="reviewer-queue"),
    path("review/filings/<int:pk>/", filing_views.reviewer_filing, name="reviewer-filing"),
]

# Public register (no login) and staff roster / changes / closure / ban register pages — feat-staffpub.
from . import views_parents, views_public, views_staff  # noqa: E402

urlpatterns += [
    path("public/", views_public.public_search, name="public-search"),
    path(
        "public/facilities/<str:filing_number>/",
        views_public.public_facility,
        name="public-facility",
    ),
    path("verify/<str:filing_number>/", views_public.verify, name="verify"),
    # watches and free places.
    path(
        "public/facilities/<str:filing_number>/watch/",
        views_parents.watch_new,
        name="public-watch-new",
    ),
    path(
        "public/watches/confirm/<str:token>/",
        views_parents.watch_confirm,
        name="public-watch-confirm",
    ),
    path(
        "public/watches/unsubscribe/<str:token>/",
        views_parents.watch_unsubscribe,
        name="public-watch-unsubscribe",
    ),
    path("filings/<int:pk>/vacancies/", views_parents.filing_vacancies, name="filing-vacancies"),
    path("registry/filings/<int:pk>/staff/", views_staff.staff_roster, name="staff-roster"),
    path(
        "registry/filings/<int:pk>/staff/<int:staff_id>/",
        views_staff.staff_edit,
        name="staff-edit",
    ),
    path("registry/changes/", views_staff.filing_changes, name="filing-changes"),
    path(
        "registry/filings/<int:pk>/changes/new/",
        views_staff.filing_change_create,
        name="filing-change-create",
    ),
    path(
        "registry/changes/<int:pk>/", views_staff.filing_change_detail, name="filing-change-detail"
    ),
    path(
        "registry/filings/<int:pk>/deregister/",
        views_staff.filing_deregister,
        name="filing-deregister-page",
    ),
    path("registry/bans/", views_staff.ban_register, name="ban-register"),
    path("registry/bans/<int:pk>/correct/", views_staff.ban_correct, name="ban-correct"),
]
