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
