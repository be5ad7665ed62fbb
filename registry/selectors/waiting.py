"""What waits for an operator on their home page: each thing only they can move on, with a link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from registry.models import Filing, FilingStatus, Registration, RegistrationStatus


def operator_actions(
    registrations: Iterable[Registration], filings: Iterable[Filing]
) -> list[dict[str, Any]]:
    """Drafts to submit, returned applications to correct, supplements to supply, and approved
    institutions still to file; in that order, each {"text", "url"}."""
    filings = list(filings)
    filed_institutions = {f.institution_id for f in filings}
    actions: list[dict[str, Any]] = []
    for reg in registrations:
        url = reverse("registration-detail", args=[reg.pk])
        if reg.status == RegistrationStatus.DRAFT:
            actions.append(
                {"text": _("核对并提交登记申请：%(name)s") % {"name": reg.name}, "url": url}
            )
        elif reg.status == RegistrationStatus.RETURNED:
            actions.append(
                {"text": _("按退回理由修改登记申请：%(name)s") % {"name": reg.name}, "url": url}
            )
        elif (
            reg.status == RegistrationStatus.APPROVED
            and reg.institution_id not in filed_institutions
        ):
            filed_institutions.add(reg.institution_id)
            actions.append(
                {
                    "text": _("办理托育机构备案：%(name)s") % {"name": reg.name},
                    "url": reverse("filing-start"),
                }
            )
    for filing in filings:
        name = filing.institution.name
        url = reverse("filing-edit", kwargs={"pk": filing.pk})
        if filing.status == FilingStatus.DRAFT:
            actions.append({"text": _("填写并提交备案书：%(name)s") % {"name": name}, "url": url})
        elif filing.status == FilingStatus.SUPPLEMENT_REQUESTED:
            actions.append(
                {"text": _("按补正告知补充材料后重新提交：%(name)s") % {"name": name}, "url": url}
            )
    return actions
