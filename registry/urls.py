"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

from django.urls import path

from . import views_inbox

urlpatterns: list = []

urlpatterns += [
    path("registry/health-inbox/", views_inbox.health_inbox, name="health-inbox"),
]
