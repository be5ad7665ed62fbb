"""The lifetime-ban register: create, correct (audited; lifting is a correction to inactive).
Nothing is ever deleted.

It lives in `registry` (not `inspections`) because the staff roster must check it at every
addition and registry may not import inspections (architecture: dependency direction). The
person's credit record (an inspections model) is written by a receiver of `ban_recorded` that
inspections connects in its AppConfig.ready(), in the same transaction as the ban.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.models import (
    Ban,
    BanAlert,
    BanCorrection,
    Filing,
    FilingStatus,
    Institution,
    StaffMember,
)
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation, collect
from tuoyu_portal.identifiers import IdDocumentType, id_number_valid
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.notify import notify

logger = logging.getLogger(__name__)

CORRECTABLE = ("name", "legal_basis", "decision_ref", "decided_on", "active")

# Sent inside create_ban's transaction with `ban` and `region_code` (the recording bureau's
# county); inspections writes the credit record from it (registry never imports inspections).
ban_recorded = Signal()

# Filings whose person in charge is "active" (api.md 1.1): the institution is filed or on its way.
ACTIVE_FILING_STATUSES = (
    FilingStatus.SUBMITTED,
    FilingStatus.SUPPLEMENT_REQUESTED,
    FilingStatus.FILED,
    FilingStatus.NONCONFORMING,
    FilingStatus.CLOSING,
)


def _ensure_health_reviewer(actor: User) -> None:
    if actor.role != Role.HEALTH_REVIEWER:
        raise NotPermitted(_("只有卫生健康部门审核人员可以维护禁入名单。"))


def active_ban_for(id_number: str) -> Ban | None:
    """The active ban matching an ID number, by keyed hash (no decryption)."""
    return active_ban_for_hash(crypto.keyed_hash(id_number))


def active_ban_for_hash(id_hash: str) -> Ban | None:
    if not id_hash:
        return None
    return Ban.objects.filter(id_hash=id_hash, active=True).first()


def banned_error(field: str = "id_number") -> DomainError:
    return DomainError.single(
        "banned_person",
        _("此人已被列入托育行业终身禁入名单，不得从事托育服务；已通报卫生健康部门。"),
        field,
    )


def _notify_county(alert: BanAlert) -> None:
    """Every active health reviewer of the alert's county gets it in their inbox (and e-mail)."""
    reviewers = User.objects.filter(
        role=Role.HEALTH_REVIEWER, is_active=True, region_id=alert.region_id
    )
    where = alert.institution.name if alert.institution else alert.region_id
    with translation.override("zh-hans"):
        if alert.kind == BanAlert.Kind.ACTIVE:
            title = gettext("在职人员被列入终身禁入名单")
            body = gettext("%(name)s（%(id)s）已被列入终身禁入名单，现为%(where)s的%(role)s。")
        else:
            title = gettext("禁入人员被提交登记")
            body = gettext(
                "%(name)s（%(id)s）已被列入终身禁入名单，被提交为%(where)s的%(role)s，已拒绝。"
            )
        body = body % {
            "name": alert.ban.name,
            "id": alert.ban.id_masked,
            "where": where,
            "role": alert.get_person_role_display(),
        }
        for reviewer in reviewers:
            notify(
                reviewer,
                kind=NotificationKind.BAN_ALERT,
                event_key=f"ban-alert:{alert.pk}",
                title=title,
                body=body,
                link=reverse("ban-register"),
            )


def refuse_if_banned(
    *,
    actor: User | None,
    region_code: str,
    institution: Institution | None = None,
    id_number: str = "",
    id_hash: str = "",
    person_role: str = BanAlert.PersonRole.STAFF,
    field: str = "id_number",
) -> None:
    """Refuse a banned person named anywhere (400 `banned_person`) and alert the county.

    The alert and the reviewers' notifications are written in their own *durable* transaction
    before the refusal is raised: they are committed even though the request fails, and
    `durable=True` makes a caller that wraps this in an outer transaction (whose rollback would
    silently drop the alert) fail loudly instead. Callers check before their own transaction.
    """
    ban = active_ban_for_hash(id_hash or (crypto.keyed_hash(id_number) if id_number else ""))
    if ban is None:
        return
    with transaction.atomic(durable=True):
        alert = BanAlert.objects.create(
            ban=ban,
            institution=institution,
            region_id=region_code,
            kind=BanAlert.Kind.ATTEMPT,
            person_role=person_role,
            attempted_by=actor,
        )
        _notify_county(alert)
    logger.warning("banned person named as %s in region %s", person_role, region_code)
    raise banned_error(field)


def _alert_where_active(ban: Ban) -> list[BanAlert]:
    """Alerts for every institution where the newly banned person is active now: an active
    staff tenure, or the person in charge of a live filing."""
    alerts: list[BanAlert] = []
    seen: set[tuple[int, str]] = set()
    tenures = StaffMember.objects.filter(id_hash=ban.id_hash, active=True).select_related(
        "institution"
    )
    for member in tenures:
        seen.add((member.institution_id, BanAlert.PersonRole.STAFF))
        alerts.append(
            BanAlert(
                ban=ban,
                institution=member.institution,
                region_id=member.institution.region_id,
                kind=BanAlert.Kind.ACTIVE,
                person_role=BanAlert.PersonRole.STAFF,
            )
        )
    filings = Filing.objects.filter(
        person_in_charge_id_hash=ban.id_hash, status__in=ACTIVE_FILING_STATUSES
    ).select_related("institution")
    for filing in filings:
        key = (filing.institution_id, BanAlert.PersonRole.PERSON_IN_CHARGE)
        if key in seen:
            continue
        seen.add(key)
        alerts.append(
            BanAlert(
                ban=ban,
                institution=filing.institution,
                region_id=filing.institution.region_id,
                kind=BanAlert.Kind.ACTIVE,
                person_role=BanAlert.PersonRole.PERSON_IN_CHARGE,
            )
        )
    created = BanAlert.objects.bulk_create(alerts)
    for alert in created:
        # After commit: a ban refused by a later rule must not have e-mailed anyone.
        transaction.on_commit(partial(_notify_county, alert))
    return created


@transaction.atomic(durable=True)
def create_ban(
    *,
    actor: User,
    id_number: str,
    name: str,
    legal_basis: str,
    decision_ref: str,
    decided_on: date,
    id_document_type: str = IdDocumentType.RESIDENT_ID,
) -> Ban:
    """Add a person to the national ban register. Health reviewers only.

    In the same transaction: the person's credit record (`ban_recorded`), and an alert to the
    county of every institution where the person is active now (notified after commit).
    """
    _ensure_health_reviewer(actor)
    id_number = crypto.normalise_id(id_number)
    id_document_type = id_document_type or IdDocumentType.RESIDENT_ID
    violations: list[RuleViolation] = []
    if id_document_type not in IdDocumentType.values:
        violations.append(
            RuleViolation("invalid_choice", _("不是有效的选项。"), "id_document_type")
        )
    elif not id_number_valid(id_number, document_type=id_document_type):
        violations.append(
            RuleViolation("id_number_invalid", _("身份证号码校验未通过。"), "id_number")
        )
    elif active_ban_for(id_number) is not None:
        violations.append(RuleViolation("ban_exists", _("此人已在禁入名单中。"), "id_number"))
    for field, value in (
        ("name", name),
        ("legal_basis", legal_basis),
        ("decision_ref", decision_ref),
    ):
        if not value.strip():
            violations.append(RuleViolation("required", _("此字段为必填项。"), field))
    collect(violations)
    ban = Ban(
        name=name.strip(),
        id_encrypted=crypto.encrypt(id_number),
        id_hash=crypto.keyed_hash(id_number),
        id_masked=crypto.mask_id(id_number),
        id_document_type=id_document_type,
        legal_basis=legal_basis.strip(),
        decision_ref=decision_ref.strip(),
        decided_on=decided_on,
        created_by=actor,
    )
    ban.full_clean()
    try:
        with transaction.atomic():
            ban.save()
    except IntegrityError as exc:  # a concurrent addition of the same person won the race
        raise DomainError.single("ban_exists", _("此人已在禁入名单中。"), "id_number") from exc
    BanCorrection.objects.create(
        ban=ban, actor=actor, changes={"created": True}, reason=str(_("列入禁入名单"))
    )
    ban_recorded.send(sender=Ban, ban=ban, region_code=actor.region_id or "")
    _alert_where_active(ban)
    return ban


@transaction.atomic(durable=True)
def correct_ban(ban: Ban, *, actor: User, changes: dict[str, Any], reason: str) -> Ban:
    """Correct a ban's recorded facts; every correction is kept with its reason and old values."""
    _ensure_health_reviewer(actor)
    if not reason.strip():
        raise DomainError.single("reason_required", _("更正须说明理由。"), "reason")
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise DomainError(
            [RuleViolation("invalid", _("该字段不可更正。"), field) for field in sorted(unknown)]
        )
    diff: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(ban, field)
        if old != value:
            diff[field] = {"from": str(old), "to": str(value)}
            setattr(ban, field, value)
    if not diff:
        return ban
    ban.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            ban.save()
    except IntegrityError as exc:  # re-activating while another active ban exists
        raise DomainError.single("ban_exists", _("此人已在禁入名单中。"), "active") from exc
    BanCorrection.objects.create(ban=ban, actor=actor, changes=diff, reason=reason.strip())
    return ban


@transaction.atomic(durable=True)
def mark_alert_seen(alert: BanAlert, *, actor: User) -> BanAlert:
    """A county health reviewer acknowledges an alert (it stays on record)."""
    _ensure_health_reviewer(actor)
    BanAlert.objects.filter(pk=alert.pk).update(seen=True)
    alert.seen = True
    return alert
