"""Parents confirm attendance before a family-fee subsidy is approved (api.md 1.1).

Where the region's rule `family_fee_parent_confirmation` is on:
1. each family-fee line carries the parent's contact (phone or e-mail, encrypted at rest);
2. on submission every line not yet confirmed becomes `pending`, and after commit a task sends
   each parent a one-time link `/public/attendance/<code>/` (only the code's hash is stored);
3. the parent answers `confirmed` or `disputed` with a note; the code is then spent; a dispute
   opens a complaint case for the county; every answer is a row of the claim's history;
4. `approve` is refused with `attendance_not_confirmed` while a line is pending or disputed;
5. a daily sweep sends a fresh link (revoking the old one) to parents who have not answered.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import crypto
from tuoyu_portal.exceptions import DomainError, RuleViolation
from tuoyu_portal.regions import rules

from .amounts import format_month
from .models import (
    AttendanceCode,
    Claim,
    ClaimLine,
    ClaimStatus,
    ClaimTransition,
    ConfirmationStatus,
    SchemeKind,
)
from .senders import ParentMessage, get_sender

if TYPE_CHECKING:
    from .services.claims import LineInput

PHONE = re.compile(r"^1\d{10}$")
# At most this many links per line over its life: the reminders cannot flood a parent.
MAX_CODES_PER_LINE = 6


class AttendanceLinkInvalid(DomainError):
    """Unknown, used, expired or replaced link: the page says so and shows nothing else."""

    def __init__(self) -> None:
        super().__init__(
            RuleViolation(
                "attendance_link_invalid",
                _("该确认链接无效、已使用或已过期。如需确认，请联系托育机构重新发送。"),
                None,
            )
        )


def required(region_code: str) -> bool:
    return bool(rules.value_for("family_fee_parent_confirmation", region_code))


def contact_channel(contact: str) -> str | None:
    """`sms` for a mainland mobile number, `email` for an address, None otherwise."""
    contact = contact.strip()
    if PHONE.match(contact):
        return "sms"
    try:
        validate_email(contact)
    except ValidationError:
        return None
    return "email"


def contact_violations(region_code: str, lines: Sequence[LineInput]) -> list[RuleViolation]:
    """Where confirmation is required, every family-fee line needs a usable parent contact."""
    if not required(region_code):
        return []
    out: list[RuleViolation] = []
    for index, line in enumerate(lines):
        field = f"lines[{index}].parent_contact"
        if not line.parent_contact.strip():
            out.append(
                RuleViolation(
                    "parent_contact_required",
                    _("第%(n)s名幼儿：本地区须经家长确认在托，请填写家长手机号码或电子邮箱。")
                    % {"n": index + 1},
                    field,
                )
            )
        elif contact_channel(line.parent_contact) is None:
            out.append(
                RuleViolation(
                    "parent_contact_invalid",
                    _("第%(n)s名幼儿：家长联系方式应为11位手机号码或电子邮箱。") % {"n": index + 1},
                    field,
                )
            )
    return out


def mask_name(name: str) -> str:
    """小明 → 小*, 王小明 → 王*明: enough for a parent to recognise, not to identify."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def open_confirmation(claim: Claim) -> None:
    """Within submit_claim: lines not yet confirmed become pending; links go out after commit."""
    if claim.kind != SchemeKind.FAMILY_FEE or not required(claim.region_id):
        return
    claim.lines.exclude(confirmation_status=ConfirmationStatus.CONFIRMED).update(
        confirmation_status=ConfirmationStatus.PENDING
    )
    from tuoyu_portal.background import enqueue_after_commit

    # The daily reminder sweep also sends links that a lost task never sent.
    enqueue_after_commit("subsidies.tasks.send_attendance_links", claim.pk)


def approval_violations(claim: Claim) -> list[RuleViolation]:
    """`attendance_not_confirmed` while a line of a family-fee claim is pending or disputed.

    Lines never asked (submitted before the region turned the rule on) are not held back:
    the rule applies from the submissions made while it is in force.
    """
    if claim.kind != SchemeKind.FAMILY_FEE or not required(claim.region_id):
        return []
    open_lines = [
        line
        for line in claim.lines.all()
        if line.confirmation_status in (ConfirmationStatus.PENDING, ConfirmationStatus.DISPUTED)
    ]
    if not open_lines:
        return []
    disputed = sum(line.confirmation_status == ConfirmationStatus.DISPUTED for line in open_lines)
    return [
        RuleViolation(
            "attendance_not_confirmed",
            _(
                "尚有%(open)s名幼儿的在托情况未经家长确认（其中%(disputed)s名家长有异议），不能核准。"
            )
            % {"open": len(open_lines), "disputed": disputed},
            "lines",
        )
    ]


def _link_message(line: ClaimLine, code: str, channel: str, to: str, expires: str) -> ParentMessage:
    url = settings.SITE_URL + reverse("public-attendance", args=[code])
    subject = str(_("请确认孩子的在托情况"))
    body = str(
        _(
            "%(institution)s 为您的孩子%(child)s申请了托育保育费补助（%(months)s）。"
            "请打开链接确认是否属实：%(url)s （%(expires)s前有效，仅能使用一次）"
        )
        % {
            "institution": line.claim.institution.name,
            "child": mask_name(line.child_name),
            "months": "、".join(format_month(m) for m in line.months),
            "url": url,
            "expires": expires,
        }
    )
    return ParentMessage(channel=channel, to=to, subject=subject, body=body)


def send_links(claim_id: int, *, reminder_after: timedelta | None = None) -> int:
    """Send a fresh link to each parent of a submitted claim whose line is pending.

    Called by the `send_attendance_links` task after submission and by the daily reminder sweep
    (`reminder_after`: only lines whose newest link is at least that old). A line already holding
    a live link newer than that is skipped, so the task may run twice. Older links are revoked:
    only the newest one works. Messages go out after the transaction, never inside it.
    """
    now = timezone.now()
    outgoing: list[ParentMessage] = []
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("institution")
            .filter(pk=claim_id, status=ClaimStatus.SUBMITTED)
            .first()
        )
        if claim is None or not required(claim.region_id):
            return 0
        days = int(rules.value_for("attendance_code_valid_days", claim.region_id))
        for line in claim.lines.filter(confirmation_status=ConfirmationStatus.PENDING):
            line.claim = claim
            codes = list(line.attendance_codes.order_by("-created_at"))
            newest = codes[0] if codes else None
            if newest is not None and newest.used_at is None and newest.revoked_at is None:
                fresh = newest.expires_at > now and (
                    reminder_after is None or newest.created_at > now - reminder_after
                )
                if fresh:
                    continue
            if len(codes) >= MAX_CODES_PER_LINE or not line.parent_contact_encrypted:
                continue
            contact = crypto.decrypt(line.parent_contact_encrypted)
            channel = contact_channel(contact)
            if channel is None:
                continue
            line.attendance_codes.filter(used_at__isnull=True, revoked_at__isnull=True).update(
                revoked_at=now
            )
            code = secrets.token_urlsafe(24)  # 192 bits
            expires = now + timedelta(days=days)
            AttendanceCode.objects.create(
                line=line, code_hash=hash_code(code), channel=channel, expires_at=expires
            )
            shown = timezone.localtime(expires).strftime("%Y-%m-%d %H:%M")
            outgoing.append(_link_message(line, code, channel, contact, shown))
    sender = get_sender()
    for message in outgoing:
        sender.send(message)
    return len(outgoing)


def remind_pending() -> int:
    """Daily: a fresh link to every parent who has not answered within the region's interval."""
    sent = 0
    claim_ids = (
        Claim.objects.filter(
            status=ClaimStatus.SUBMITTED,
            kind=SchemeKind.FAMILY_FEE,
            lines__confirmation_status=ConfirmationStatus.PENDING,
        )
        .values_list("id", "region_id")
        .distinct()
    )
    for claim_id, region_id in claim_ids:
        days = int(rules.value_for("attendance_reminder_days", region_id))
        sent += send_links(claim_id, reminder_after=timedelta(days=days))
    return sent


def find_code(code: str) -> AttendanceCode:
    """The live link for `code`, or AttendanceLinkInvalid (no hint which check failed)."""
    if not code or len(code) > 64:
        raise AttendanceLinkInvalid()
    found = (
        AttendanceCode.objects.select_related("line__claim__institution")
        .filter(code_hash=hash_code(code))
        .first()
    )
    if (
        found is None
        or found.used_at is not None
        or found.revoked_at is not None
        or found.expires_at <= timezone.now()
        or found.line.claim.status != ClaimStatus.SUBMITTED
    ):
        raise AttendanceLinkInvalid()
    return found


@transaction.atomic(durable=True)
def answer_attendance(code: str, *, answer: str, note: str = "") -> ClaimLine:
    """A parent answers through the link: `confirmed`, or `disputed` with a note.

    The code is spent in the same transaction (a second answer gets AttendanceLinkInvalid);
    the answer is a row of the claim's history; a dispute opens a complaint for the county.
    """
    found = find_code(code)
    locked = AttendanceCode.objects.select_for_update().get(pk=found.pk)
    if locked.used_at is not None or locked.revoked_at is not None:  # lost a race
        raise AttendanceLinkInvalid()
    note = (note or "").strip()
    if answer not in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.DISPUTED):
        raise DomainError.single("invalid_choice", _("请选择“属实”或“有异议”。"), "answer")
    if answer == ConfirmationStatus.DISPUTED and not note:
        raise DomainError.single("note_required", _("请说明哪里与实际不符。"), "note")
    if len(note) > 1000:
        raise DomainError.single("max_length", _("说明不能超过1000字。"), "note")
    now = timezone.now()
    locked.used_at = now
    locked.save(update_fields=["used_at"])
    line = ClaimLine.objects.select_for_update().select_related("claim").get(pk=found.line_id)
    line.confirmation_status, line.confirmation_note = answer, note
    line.save(update_fields=["confirmation_status", "confirmation_note"])
    claim = line.claim
    complaint_code = ""
    if answer == ConfirmationStatus.DISPUTED:
        complaint_code = _open_dispute_case(line, note)
    if answer == ConfirmationStatus.CONFIRMED:
        said = _("家长确认第%(n)s名幼儿在托属实。") % {"n": line.ordinal}
    else:
        said = _("家长对第%(n)s名幼儿的在托情况提出异议（已转县级投诉 %(code)s）：%(note)s") % {
            "n": line.ordinal,
            "code": complaint_code,
            "note": note,
        }
    ClaimTransition.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=claim.status,
        actor=None,
        reason=str(said),
        details={
            "event": f"attendance_{answer}",
            "line": line.ordinal,
            "complaint": complaint_code,
        },
    )
    return line


def _open_dispute_case(line: ClaimLine, note: str) -> str:
    """A dispute becomes a complaint in the county's queue, like one from the public register."""
    from inspections.models import Complaint, ComplaintTransition
    from inspections.services.complaints import new_tracking_code

    claim = line.claim
    days = int(rules.value_for("complaint_handling_days", claim.region_id))
    content = str(
        _(
            "家长对保育费补助申请 #%(claim)s 第%(n)s名幼儿（%(child)s，%(months)s）的在托情况"
            "提出异议：%(note)s"
        )
        % {
            "claim": claim.pk,
            "n": line.ordinal,
            "child": mask_name(line.child_name),
            "months": "、".join(format_month(m) for m in line.months),
            "note": note,
        }
    )
    complaint = Complaint(
        tracking_code=new_tracking_code(),
        filing_id=claim.filing_id,
        institution_id=claim.institution_id,
        region_id=claim.region_id,
        content=content,
        anonymous=True,
        due_on=timezone.localdate() + timedelta(days=days),
    )
    complaint.full_clean()
    complaint.save()
    ComplaintTransition.objects.create(
        complaint=complaint, from_status="", to_status=complaint.status
    )
    return complaint.tracking_code
