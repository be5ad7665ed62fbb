"""Admin of the registry app, one module per area; importing them registers their admins."""

from . import filings, inbox, registrations, staff

__all__ = ["filings", "inbox", "registrations", "staff"]
