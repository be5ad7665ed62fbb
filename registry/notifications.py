"""Who hears of a registry event, in a person's words, at the moment it happens.

Each function is called by the service inside its own transaction, right after the event is
written: the inbox rows commit (or roll back) with it, so they are there within the request and
a Redis outage changes nothing (tuoyu_portal/notifications/services/notify.py). Titles and bodies
use labels and names, never a rule code or a status value.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from registry.materials import MATERIALS_BY_KIND
from registry.models import (
    Filing,
    HealthInboxEntry,
    InboxEvent,
    Registration,
    RegistrationStatus,
    SupplementRequest,
)
from tuoyu_portal.accounts.models import Authority
from tuoyu_portal.notifications.models import NotificationKind
from tuoyu_portal.notifications.services.notify import health_reviewers_of, notify_all, operators_of

# Notifications are stored once, in the portal's first language.
LANGUAGE = "zh-hans"


def chinese_date(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def supplement_item_label(key: str) -> str:
    """A supplement item as the person reads it: the material's or the 备案书 field's name."""
    material = MATERIALS_BY_KIND.get(key)
    if material is not None:
        return str(material.label)
    extra = {
        "person_in_charge_id_number": _("负责人身份证号码"),
        "classes": _("班级设置"),
        "staff": _("人员配备"),
    }
    if key in extra:
        return str(extra[key])
    try:
        field = Filing._meta.get_field(key)
    except FieldDoesNotExist:  # never for a stored request (the service validates items)
        return _("其他事项")
    return str(getattr(field, "verbose_name", key))


def registration_decided(reg: Registration, *, transition_id: int, reason: str = "") -> int:
    """Approved, returned or rejected → the operator members of the institution."""
    with translation.override(LANGUAGE):
        values = {"name": reg.name, "reason": reason}
        if reg.status == RegistrationStatus.APPROVED:
            kind = NotificationKind.REGISTRATION_APPROVED
            title = _("登记申请已通过：%(name)s") % values
            body = _(
                "统一社会信用代码 %(code)s。登记信息已推送至县卫生健康部门，请办理托育机构备案。"
            ) % {"code": reg.credit_code}
        elif reg.status == RegistrationStatus.RETURNED:
            kind = NotificationKind.REGISTRATION_RETURNED
            title = _("登记申请被退回修改：%(name)s") % values
            body = _("退回理由：%(reason)s。请按理由修改后重新提交。") % values
        else:
            kind = NotificationKind.REGISTRATION_REJECTED
            title = _("不予登记：%(name)s") % values
            body = _("不予登记的理由：%(reason)s。") % values
        return notify_all(
            operators_of(reg.institution_id),
            kind=kind,
            event_key=f"registration:{reg.pk}:{transition_id}",
            title=title,
            body=body,
            link=reverse("registration-detail", args=[reg.pk]),
        )


def registration_arrived(entry: HealthInboxEntry) -> int:
    """A pushed registration (or its cancellation) arrives → the county's health reviewers."""
    with translation.override(LANGUAGE):
        authority = (
            str(Authority(entry.authority).label)
            if entry.authority in Authority.values
            else _("登记机关")
        )
        values = {"name": entry.name, "authority": authority, "code": entry.credit_code}
        if entry.event == InboxEvent.CANCELLED:
            title = _("登记已注销：%(name)s") % values
            body = _(
                "%(authority)s已注销该机构的登记（统一社会信用代码 %(code)s），其备案随之办理注销。"
            )
        else:
            title = _("新登记托育机构：%(name)s") % values
            body = _("%(authority)s已登记该机构（统一社会信用代码 %(code)s），请关注其办理备案。")
        return notify_all(
            health_reviewers_of(entry.region_id),
            kind=NotificationKind.REGISTRATION_PUSHED,
            event_key=f"inbox:{entry.pk}",
            title=title,
            body=body % values,
            link=reverse("health-inbox"),
        )


def filing_received(filing: Filing, *, transition_id: int) -> int:
    """A filing submitted (or resubmitted) → the operators, with the date the receipt is due."""
    assert filing.receipt_due is not None
    with translation.override(LANGUAGE):
        return notify_all(
            operators_of(filing.institution_id),
            kind=NotificationKind.FILING_RECEIVED,
            event_key=f"filing-received:{filing.pk}:{transition_id}",
            title=_("备案材料已提交：%(name)s") % {"name": filing.institution.name},
            body=_(
                "县卫生健康部门已收到备案材料，将于%(due)s前出具备案回执或一次性告知需补正的材料。"
            )
            % {"due": chinese_date(filing.receipt_due)},
            link=reverse("filing-detail", args=[filing.pk]),
        )


def supplement_requested(filing: Filing, request: SupplementRequest) -> int:
    """The reviewer's one-time list of what to supply → the operators, each item by its name."""
    with translation.override(LANGUAGE):
        items = "；".join(
            f"{supplement_item_label(entry['item'])}（{entry['note']}）"
            if entry.get("note")
            else supplement_item_label(entry["item"])
            for entry in request.items
        )
        body = _("县卫生健康部门一次性告知需补正的事项：%(items)s。") % {"items": items}
        if request.note:
            body = f"{body}{request.note}"
        return notify_all(
            operators_of(filing.institution_id),
            kind=NotificationKind.SUPPLEMENT_REQUESTED,
            event_key=f"supplement:{request.pk}",
            title=_("备案材料需补正：%(name)s") % {"name": filing.institution.name},
            body=body,
            link=reverse("filing-detail", args=[filing.pk]),
        )


def filing_accepted(filing: Filing) -> int:
    """Filed: the filing number and the 备案回执 → the operators."""
    with translation.override(LANGUAGE):
        return notify_all(
            operators_of(filing.institution_id),
            kind=NotificationKind.RECEIPT_ISSUED,
            event_key=f"receipt:{filing.pk}",
            title=_("备案回执已出具：%(name)s") % {"name": filing.institution.name},
            body=_("已完成备案，备案编号 %(number)s。可在备案页面下载备案回执。")
            % {"number": filing.filing_number},
            link=reverse("filing-detail", args=[filing.pk]),
        )


def filing_nonconforming(filing: Filing, *, transition_id: int) -> int:
    """Found not to conform to the standards, with the reasons → the operators (each decision
    is news again, after the institution was found conforming in between)."""
    with translation.override(LANGUAGE):
        return notify_all(
            operators_of(filing.institution_id),
            kind=NotificationKind.NONCONFORMING,
            event_key=f"nonconforming:{filing.pk}:{transition_id}",
            title=_("不符合托育机构设置标准告知：%(name)s") % {"name": filing.institution.name},
            body=_("原因：%(reasons)s") % {"reasons": "；".join(filing.nonconformity_reasons)},
            link=reverse("filing-detail", args=[filing.pk]),
        )
