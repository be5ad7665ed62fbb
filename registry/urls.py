"""HTML pages of the registry app (operators, registrars, health reviewers, public)."""

urlpatterns: list = []
