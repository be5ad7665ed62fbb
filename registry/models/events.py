"""Audit-event models of registry's tables (written by triggers; see tuoyu_portal/audit)."""

from __future__ import annotations

from tuoyu_portal.audit.events import event_model_base

from .bans import Ban
from .filings import Filing
from .registrations import Registration
from .staff import StaffMember


class RegistrationEvent(event_model_base(Registration, "RegistrationEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    pass


class FilingEvent(event_model_base(Filing, "FilingEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    pass


class StaffMemberEvent(event_model_base(StaffMember, "StaffMemberEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    pass


class BanEvent(event_model_base(Ban, "BanEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    pass
