"""Who is told about a county's or an institution's affairs: the people, read by their role."""

from __future__ import annotations

from tuoyu_portal.accounts.models import Membership, Role, User


def reviewers_of(region_codes: set[str]) -> dict[str, list[int]]:
    """Ids of the active health reviewers of each county in `region_codes`."""
    found: dict[str, list[int]] = {}
    for user_id, region_id in User.objects.filter(
        role=Role.HEALTH_REVIEWER, is_active=True, region_id__in=region_codes
    ).values_list("id", "region_id"):
        found.setdefault(region_id, []).append(user_id)
    return found


def operators_of(institution_ids: set[int]) -> dict[int, list[int]]:
    """Ids of the active operators of each institution in `institution_ids`."""
    found: dict[int, list[int]] = {}
    for user_id, institution_id in Membership.objects.filter(
        institution_id__in=institution_ids, user__is_active=True, user__role=Role.OPERATOR
    ).values_list("user_id", "institution_id"):
        found.setdefault(institution_id, []).append(user_id)
    return found
