from .filings import (
    ClassType,
    Filing,
    FilingClass,
    FilingQuerySet,
    FilingStatus,
    FilingTransition,
    Meals,
    SiteTenure,
)
from .institutions import Institution, InstitutionQuerySet, Membership, jurisdiction_q
from .registrations import (
    CareMode,
    LegalNature,
    Registration,
    RegistrationQuerySet,
    RegistrationStatus,
    RegistrationTransition,
)

__all__ = [
    "CareMode",
    "ClassType",
    "Filing",
    "FilingClass",
    "FilingQuerySet",
    "FilingStatus",
    "FilingTransition",
    "Institution",
    "InstitutionQuerySet",
    "LegalNature",
    "Meals",
    "Membership",
    "Registration",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "RegistrationTransition",
    "SiteTenure",
    "jurisdiction_q",
]

from .bans import Ban, BanAlert, BanCorrection  # noqa: E402
from .changes import (  # noqa: E402
    ChangeStatus,
    FilingChange,
    FilingChangeTransition,
    FilingVersion,
)
from .staff import StaffMember, StaffRole  # noqa: E402

__all__ += [
    "Ban",
    "BanAlert",
    "BanCorrection",
    "ChangeStatus",
    "FilingChange",
    "FilingChangeTransition",
    "FilingVersion",
    "StaffMember",
    "StaffRole",
]
