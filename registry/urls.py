"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

from django.urls import path

from . import views_public, views_staff

urlpatterns: list = []

# Public register (no login) and staff roster / changes / closure / ban register pages.
urlpatterns += [
    path("public/", views_public.public_search, name="public-search"),
    path(
        "public/facilities/<str:filing_number>/",
        views_public.public_facility,
        name="public-facility",
    ),
    path("verify/<str:filing_number>/", views_public.verify, name="verify"),
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
