"""Admin registrations of the registry app; each feature keeps its admin in its own module."""

from . import admin_staffpub  # noqa: F401
