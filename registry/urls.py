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

# Filing (备案) pages: operator wizard and the county reviewer's queue.
from django.urls import path  # noqa: E402

from registry import filing_views  # noqa: E402

urlpatterns += [
    path("filings/start/", filing_views.filing_start, name="filing-start"),
    path("filings/<int:pk>/", filing_views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/edit/", filing_views.filing_edit, name="filing-edit"),
    path("filings/<int:pk>/readiness/", filing_views.filing_readiness, name="filing-readiness"),
    path("review/filings/", filing_views.reviewer_queue, name="reviewer-queue"),
    path("review/filings/<int:pk>/", filing_views.reviewer_filing, name="reviewer-filing"),
]
