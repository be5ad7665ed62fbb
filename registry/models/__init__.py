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
from .institutions import Institution, InstitutionQuerySet, Membership, jurisdiction_q
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
    "Membership",
    "PublishedDataset",
    "ReconciliationReport",
    "Registration",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "RegistrationTransition",
    "SiteTenure",
    "StaffMember",
    "StaffRole",
    "SupplementRequest",
    "Watch",
    "WatchEvent",
    "WatchEventKind",
    "jurisdiction_q",
]
