"""Bulk import of institutions already registered elsewhere.

A registrar uploads a CSV or XLSX file. Every row is checked with the same rules as an online
application (plus: credit code required, prefix consistent with the legal nature, inside the
registrar's region and routed to their authority). Each valid row becomes an institution with an
approved registration, a history row and the `registration.approved` outbox event, in one
transaction per row, so a failure in row 700 keeps rows 1–699. A row whose credit code already
has an approved registration is reported "已存在，跳过" and changes nothing, which makes
re-importing the same file harmless.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.bulk_import import (
    LEGAL_NATURE_WORDS,
    ImportFileError,
    ImportRow,
    parse_care_modes,
    parse_date,
    read_rows,
)
from registry.models import (
    BanAlert,
    ImportBatch,
    Institution,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from tuoyu_portal import crypto, identifiers
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation
from tuoyu_portal.text import SafeCsvWriter, character_violations

from . import bans
from .registrations import (
    RegistrationFacts,
    push_registration_event,
    route_authority,
    validate_registration_fields,
)

OUTCOME_APPROVED = "approved"
OUTCOME_SKIPPED = "skipped"
OUTCOME_ERROR = "error"

REPORT_HEADER = ["行号", "结果", "机构名称", "统一社会信用代码", "错误代码", "说明"]
REQUIRED: dict[str, Any] = {
    "name": _("机构名称"),
    "address": _("地址"),
    "legal_representative_name": _("法定代表人"),
    "legal_representative_id_number": _("法定代表人身份证号"),
    "contact_phone": _("联系电话"),
    "business_scope": _("业务范围"),
    "region": _("所在县区代码"),
}


@dataclass
class RowOutcome:
    number: int
    outcome: str
    name: str
    credit_code: str
    violations: list[RuleViolation] = field(default_factory=list)


def import_registrations(*, actor: User, file_name: str, content: bytes) -> ImportBatch:
    """Import a registrar's file; returns the recorded batch with counts and the error report.

    Only registrars may import. A file that cannot be read at all is a 400 (`import_file_invalid`)
    and records nothing. Rows are committed one by one (see the module docstring)."""
    if not actor.has_role(Role.REGISTRAR) or not actor.authority:
        raise NotPermitted(_("只有登记机关工作人员可以批量导入。"))
    try:
        rows = read_rows(content, file_name)
    except ImportFileError as exc:
        raise DomainError.single("import_file_invalid", str(exc.args[0]), "file")
    digest = hashlib.sha256(content).hexdigest()
    known = _KnownCodes.load(rows)
    outcomes = [
        _import_row(row, actor=actor, import_key=f"{digest[:16]}:{row.number}", known=known)
        for row in rows
    ]
    counts = {
        kind: sum(1 for o in outcomes if o.outcome == kind)
        for kind in (OUTCOME_APPROVED, OUTCOME_SKIPPED, OUTCOME_ERROR)
    }
    batch = ImportBatch(
        uploaded_by=actor,
        authority=actor.authority,
        region_id=actor.region_id,
        file_name=file_name[:255],
        sha256=digest,
        total_rows=len(rows),
        approved_count=counts[OUTCOME_APPROVED],
        skipped_count=counts[OUTCOME_SKIPPED],
        error_count=counts[OUTCOME_ERROR],
        error_report=error_report_csv(outcomes),
    )
    batch.full_clean()
    batch.save()
    return batch


def error_report_csv(outcomes: list[RowOutcome]) -> str:
    """One line per row that was not imported: errors (all broken rules joined) and skips."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)  # the rows echo uploaded text: values, never formulas
    writer.writerow(REPORT_HEADER)
    for outcome in outcomes:
        if outcome.outcome == OUTCOME_APPROVED:
            continue
        result = _("错误") if outcome.outcome == OUTCOME_ERROR else _("已存在，跳过")
        writer.writerow(
            [
                outcome.number,
                str(result),
                outcome.name,
                outcome.credit_code,
                "；".join(v.code for v in outcome.violations),
                "；".join(str(v.message) for v in outcome.violations),
            ]
        )
    return out.getvalue()


@dataclass
class _KnownCodes:
    """Credit codes of the file already taken, read in two queries instead of two per row.

    Kept current as rows are imported; a code taken concurrently by someone else still ends as
    a skip through the unique index (IntegrityError below)."""

    approved: set[str]
    institutions: set[str]
    # route_authority per (legal nature, county): a file has few distinct pairs.
    routes: dict[tuple[str, str], str] = field(default_factory=dict)

    def route(self, nature: str, region: str) -> str:
        key = (nature, region)
        if key not in self.routes:
            self.routes[key] = route_authority(nature, region)
        return self.routes[key]

    @classmethod
    def load(cls, rows: list[ImportRow]) -> _KnownCodes:
        codes = {identifiers.clean_credit_code(r.values["credit_code"]) for r in rows} - {""}
        return cls(
            approved=set(
                Registration.objects.filter(
                    credit_code__in=codes, status=RegistrationStatus.APPROVED
                ).values_list("credit_code", flat=True)
            ),
            institutions=set(
                Institution.objects.filter(credit_code__in=codes).values_list(
                    "credit_code", flat=True
                )
            ),
        )


def _import_row(row: ImportRow, *, actor: User, import_key: str, known: _KnownCodes) -> RowOutcome:
    values = row.values
    code = identifiers.clean_credit_code(values["credit_code"])
    outcome = RowOutcome(row.number, OUTCOME_ERROR, values["name"], code)
    violations, parsed = _check_row(values, actor=actor, known=known)
    if violations:
        outcome.violations = violations
        return outcome
    if code in known.approved:
        return _skipped(outcome)
    if code in known.institutions:
        # An institution with this code exists but its registration is no longer live
        # (cancelled): re-registering it is an online application, not an import.
        outcome.violations = [
            RuleViolation(
                "credit_code_taken",
                _("该统一社会信用代码已属于其他机构（登记已注销）。"),
                "credit_code",
            )
        ]
        return outcome
    try:
        # The legal representative against the ban register, outside the row's transaction so
        # the county's alert stays although the row is refused.
        bans.refuse_if_banned(
            actor=actor,
            region_code=values["region"],
            id_number=values["legal_representative_id_number"],
            person_role=BanAlert.PersonRole.LEGAL_REPRESENTATIVE,
            field="legal_representative_id_number",
        )
    except DomainError as refused:
        outcome.violations = refused.violations
        return outcome
    try:
        with transaction.atomic():
            _create_approved(parsed, actor=actor, import_key=import_key, row_number=row.number)
    except IntegrityError:
        # A concurrent import or approval took the code first: nothing of this row was written.
        return _skipped(outcome)
    known.approved.add(code)
    known.institutions.add(code)
    outcome.outcome = OUTCOME_APPROVED
    return outcome


def _skipped(outcome: RowOutcome) -> RowOutcome:
    outcome.outcome = OUTCOME_SKIPPED
    outcome.violations = [RuleViolation("already_registered", _("已存在，跳过"), "credit_code")]
    return outcome


def _check_row(
    values: dict[str, str], *, actor: User, known: _KnownCodes
) -> tuple[list[RuleViolation], dict[str, Any]]:
    """Every broken rule of one row, and the parsed values when there are none."""
    violations: list[RuleViolation] = []
    # Name is checked with the registration rules below; the other people-facing text here.
    violations += character_violations(
        {key: values[key] for key in ("address", "legal_representative_name")}
    )
    for key, label in REQUIRED.items():
        if not values[key]:
            violations.append(
                RuleViolation("required", _("“%(col)s”不能为空。") % {"col": label}, key)
            )
    nature = LEGAL_NATURE_WORDS.get(values["legal_nature"])
    if nature is None:
        violations.append(
            RuleViolation(
                "legal_nature_invalid",
                _("法人性质应为事业单位、社会服务机构或营利性。"),
                "legal_nature",
            )
        )
    modes = parse_care_modes(values["care_modes"])
    if modes is None:
        violations.append(
            RuleViolation(
                "care_modes_invalid",
                _("托育方式应为全日托、半日托、计时托、临时托，多个用“、”分隔。"),
                "care_modes",
            )
        )
    approved_on: date | None = timezone.localdate()
    if values["approved_on"]:
        approved_on = parse_date(values["approved_on"])
        if approved_on is None or approved_on > timezone.localdate():
            violations.append(
                RuleViolation(
                    "date_invalid", _("登记日期格式应为YYYY-MM-DD，且不晚于今天。"), "approved_on"
                )
            )
    facts = RegistrationFacts(
        name=values["name"],
        legal_nature=nature or "",
        business_scope=values["business_scope"],
        region_code=values["region"],
        credit_code=values["credit_code"],
        id_number=values["legal_representative_id_number"] or None,
    )
    rule_violations = validate_registration_fields(
        facts, credit_code_required=True, nature_mismatch_is_error=nature is not None
    )
    violations.extend(rule_violations)
    region_ok = not any(v.field == "region" for v in rule_violations) and values["region"]
    if region_ok:
        if not actor.region_contains(values["region"]):
            violations.append(
                RuleViolation(
                    "region_out_of_jurisdiction",
                    _("该县区不在您的管辖范围内。"),
                    "region",
                )
            )
        elif nature is not None and known.route(nature, values["region"]) != actor.authority:
            violations.append(
                RuleViolation(
                    "authority_mismatch",
                    _("按法人性质该机构不由本登记机关登记。"),
                    "legal_nature",
                )
            )
    parsed = {**values, "legal_nature": nature, "care_modes": modes, "approved_on": approved_on}
    return violations, parsed


def _create_approved(
    data: dict[str, Any], *, actor: User, import_key: str, row_number: int
) -> Registration:
    """Institution + approved registration + history row + outbox event (caller's transaction)."""
    code = identifiers.clean_credit_code(data["credit_code"])
    institution = Institution(
        name=data["name"], credit_code=code, region_id=data["region"], address=data["address"]
    )
    # Foreign keys were checked by the row rules (region) or were just created: skip their
    # per-row existence queries (a 1 000-row file otherwise spends a third of its time there).
    institution.full_clean(exclude=["region"], validate_constraints=False)
    institution.save()
    id_number = crypto.normalise_id(data["legal_representative_id_number"])
    now = timezone.now()
    reg = Registration(
        institution=institution,
        name=data["name"],
        legal_nature=data["legal_nature"],
        care_modes=data["care_modes"],
        business_scope=data["business_scope"],
        region_id=data["region"],
        address=data["address"],
        legal_representative_name=data["legal_representative_name"],
        legal_representative_id_encrypted=crypto.encrypt(id_number),
        legal_representative_id_hash=crypto.keyed_hash(id_number),
        legal_representative_id_masked=crypto.mask_id(id_number),
        contact_phone=data["contact_phone"],
        credit_code=code,
        authority=actor.authority,
        status=RegistrationStatus.APPROVED,
        decided_at=now,
        decided_by=actor,
        approved_on=data["approved_on"],
        import_key=import_key,
    )
    reg.full_clean(exclude=["region", "institution", "decided_by"], validate_constraints=False)
    reg.save()
    RegistrationTransition.objects.create(
        registration=reg,
        from_status="",
        to_status=RegistrationStatus.APPROVED,
        actor=actor,
        reason=str(_("批量导入（第%(row)s行）") % {"row": row_number}),
    )
    push_registration_event(reg, "approved")
    return reg
