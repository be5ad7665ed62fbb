"""Operators publish free places per class type (api.md 1.1 "Vacancies")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import ClassType, FacilityVacancy, Filing, FilingStatus
from registry.services.filing_guards import ensure_operator
from registry.vacancies import filed_places_by_class
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError, RuleViolation, collect
from tuoyu_portal.publiccache import bump_version
from tuoyu_portal.regions import rules

# Free places may be published while the institution is on the register and taking children.
OPEN_FOR_VACANCIES: tuple[str, ...] = (FilingStatus.FILED, FilingStatus.NONCONFORMING)


@transaction.atomic(durable=True)
def publish_vacancies(
    filing: Filing, *, actor: User, vacancies: Sequence[dict[str, Any]]
) -> FacilityVacancy:
    """Replace the free places of a filed institution (its operator only).

    Each class type may be named once; free places above the filed places of that class type
    (the children planned in its classes) are refused with `vacancies_exceed_places`. The public
    register's cache is bumped and the open data rebuilt after commit.
    """
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    ensure_operator(filing, actor)
    if filing.status not in OPEN_FOR_VACANCIES:
        raise DomainError.single(
            "filing_not_filed", _("只有已备案的机构可以发布空余托位。"), "vacancies"
        )
    filed = filed_places_by_class(filing)
    found: list[RuleViolation] = []
    seen: set[str] = set()
    for index, item in enumerate(vacancies):
        class_type, free = item["class_type"], item["free_places"]
        label = ClassType(class_type).label
        if class_type in seen:
            found.append(
                RuleViolation(
                    "duplicate_class_type",
                    _("%(type)s 重复填写。") % {"type": label},
                    f"vacancies[{index}].class_type",
                )
            )
        seen.add(class_type)
        if free > filed.get(class_type, 0):
            found.append(
                RuleViolation(
                    "vacancies_exceed_places",
                    _("%(type)s 空余托位 %(free)s 个，超过备案托位 %(filed)s 个。")
                    % {"type": label, "free": free, "filed": filed.get(class_type, 0)},
                    f"vacancies[{index}].free_places",
                )
            )
    collect(found)
    order = {value: n for n, value in enumerate(ClassType.values)}
    by_class = sorted(
        ({"class_type": v["class_type"], "free_places": v["free_places"]} for v in vacancies),
        key=lambda v: order[v["class_type"]],
    )
    vacancy, _created = FacilityVacancy.objects.update_or_create(
        filing=filing,
        defaults={
            "by_class": by_class,
            "free_places": sum(v["free_places"] for v in by_class),
            "updated_at": timezone.now(),
            "updated_by": actor,
            "reminded_at": None,
        },
    )
    transaction.on_commit(bump_version)
    from registry import opendata

    opendata.schedule_rebuild()
    return vacancy


def remind_stale_vacancies() -> int:
    """Monthly: e-mail operators whose published free places are older than the rule's days.

    Each row is reminded once per update (reminded_at), so repeated runs send nothing twice.
    """
    sent = 0
    now = timezone.now()
    rows = FacilityVacancy.objects.filter(
        reminded_at__isnull=True, filing__status__in=OPEN_FOR_VACANCIES
    ).select_related("filing__institution")
    for row in rows:
        days = int(rules.value_for("vacancy_stale_days", row.filing.region_id))
        if row.updated_at > now - timedelta(days=days):
            continue
        emails = [
            m.user.email
            for m in row.filing.institution.memberships.select_related("user")
            if m.user.email
        ]
        claimed = FacilityVacancy.objects.filter(pk=row.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed or not emails:
            continue
        url = settings.SITE_URL + reverse("filing-vacancies", args=[row.filing_id])
        send_mail(
            str(_("请更新空余托位信息")),
            str(
                _(
                    "%(name)s 公开的空余托位已超过%(days)s天未更新，家长看到的是过时信息。请更新：%(url)s"
                )
                % {"name": row.filing.institution.name, "days": days, "url": url}
            ),
            None,
            emails,
        )
        sent += 1
    return sent
