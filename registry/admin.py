"""Admin registrations of the registry app."""

from . import admin_inbox  # noqa: F401  (health inbox, reconciliation reports)
