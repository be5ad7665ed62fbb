from .bans import Ban, BanAlert, BanCorrection
from .bulk_import import ImportBatch
from .changes import (
    ChangeDocument,
    ChangeStatus,
    FilingChange,
    FilingChangeTransition,
    FilingVersion,
)
from .documents import (
    DocumentKind,
    FilingDocument,
    FilingNumberCounter,
    SupplementRequest,
)
from .events import BanEvent, FilingEvent, RegistrationEvent, StaffMemberEvent
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
from .inbox import HealthInboxEntry, HealthInboxQuerySet, InboxEvent, ReconciliationReport
from .institutions import Institution, InstitutionQuerySet
from .parents import (
    FacilityVacancy,
    PublishedDataset,
    Watch,
    WatchEvent,
    WatchEventKind,
)
from .registrations import (
    CareMode,
    LegalNature,
    Registration,
    RegistrationQuerySet,
    RegistrationStatus,
    RegistrationTransition,
)
from .staff import StaffMember, StaffRole

__all__ = [
    "Ban",
    "BanAlert",
    "BanEvent",
    "BanCorrection",
    "CareMode",
    "ChangeDocument",
    "ChangeStatus",
    "ClassType",
    "DocumentKind",
    "FacilityVacancy",
    "Filing",
    "FilingChange",
    "FilingChangeTransition",
    "FilingClass",
    "FilingDocument",
    "FilingEvent",
    "FilingNumberCounter",
    "FilingQuerySet",
    "FilingStatus",
    "FilingTransition",
    "FilingVersion",
    "HealthInboxEntry",
    "HealthInboxQuerySet",
    "ImportBatch",
    "InboxEvent",
    "Institution",
    "InstitutionQuerySet",
    "LegalNature",
    "Meals",
    "PublishedDataset",
    "ReconciliationReport",
    "Registration",
    "RegistrationEvent",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "RegistrationTransition",
    "SiteTenure",
    "StaffMember",
    "StaffMemberEvent",
    "StaffRole",
    "SupplementRequest",
    "Watch",
    "WatchEvent",
    "WatchEventKind",
]
