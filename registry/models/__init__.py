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
from .institutions import Institution, InstitutionQuerySet
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
    "Registration",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "RegistrationTransition",
    "SiteTenure",
]

from .imports import ImportBatch  # noqa: E402

__all__ += ["ImportBatch"]

from .inbox import HealthInboxEntry, HealthInboxQuerySet, InboxEvent, ReconciliationReport  # noqa: E402

__all__ += ["HealthInboxEntry", "HealthInboxQuerySet", "InboxEvent", "ReconciliationReport"]

from .documents import (  # noqa: E402  (filing core: documents, supplements, numbering)
    DocumentKind,
    FilingDocument,
    FilingNumberCounter,
    SupplementRequest,
)

__all__ += ["DocumentKind", "FilingDocument", "FilingNumberCounter", "SupplementRequest"]

from .bans import Ban, BanAlert, BanCorrection  # noqa: E402
from .changes import (  # noqa: E402
    ChangeDocument,
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
    "ChangeDocument",
    "ChangeStatus",
    "FilingChange",
    "FilingChangeTransition",
    "FilingVersion",
    "StaffMember",
    "StaffRole",
]

from .parents import (  # noqa: E402  (vacancies, watches, open data)
    FacilityVacancy,
    PublishedDataset,
    Watch,
    WatchEvent,
    WatchEventKind,
)

__all__ += ["FacilityVacancy", "PublishedDataset", "Watch", "WatchEvent", "WatchEventKind"]

from .events import BanEvent, FilingEvent, RegistrationEvent, StaffMemberEvent  # noqa: E402

__all__ += ["BanEvent", "FilingEvent", "RegistrationEvent", "StaffMemberEvent"]
