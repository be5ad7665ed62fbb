"""Reads of the public register (no login, no personal data)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField
from django.utils.module_loading import import_string

from registry.models import Filing, Institution
from tuoyu_portal.regions.models import code_prefix


class NameGrams(Func):
    """registry_name_grams(name): the indexed 1- and 2-character substrings (migration 0003)."""

    function = "registry_name_grams"
    output_field = ArrayField(TextField())


def term_grams(term: str) -> list[str]:
    """The grams a name must contain to contain `term`: itself if 1 character, else its bigrams."""
    term = term.lower()
    if len(term) == 1:
        return [term]
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


def search_filings(
    queryset: QuerySet[Filing],
    *,
    region: str = "",
    care_mode: str = "",
    inclusive: bool | None = None,
    q: str = "",
    has_vacancy: bool = False,
    newest: int | None = None,
    before: int | None = None,
) -> QuerySet[Filing]:
    """Filter public filings. `q` uses the gram index, then LIKE rechecks the exact substring.

    `newest=n` (newest first, n rows wanted, `before` = the cursor's id) first looks for the n
    newest matches among the newest filings in order (`newest_name_matches`); when it finds
    them, the queryset is narrowed to exactly those ids.
    """
    if region:
        queryset = queryset.filter(region__code__startswith=code_prefix(region))
    if care_mode:
        queryset = queryset.filter(care_modes__contains=[care_mode])
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if has_vacancy:  # at least one free place published
        queryset = queryset.filter(vacancy__free_places__gt=0)
    q = "".join(q.split())
    if q and newest:
        scope = queryset if before is None else queryset.filter(id__lt=before)
        ids = newest_name_matches(scope, q, limit=newest)
        if ids is not None:
            return queryset.filter(id__in=ids)
    if q:
        queryset = queryset.alias(name_grams=NameGrams(F("institution__name"))).filter(
            name_grams__contains=term_grams(q),  # type: ignore[misc]  # alias is an array, not text
            institution__name__icontains=q,
        )
    return queryset


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _probe(scope: QuerySet[Filing], term: str, limit: int, window: int) -> list[int]:
    """Ids of the newest `limit` filings of `scope` whose name contains `term`, looking only at
    the newest `window` filings of `scope` (each name read by primary key, in id order)."""
    names = Institution.objects.filter(pk=OuterRef("institution_id")).values("name")[:1]
    inner = scope.order_by("-id").annotate(inst_name=Subquery(names)).values("id", "inst_name")
    sql, params = inner[:window].query.sql_with_params()
    # The LIMIT inside keeps PostgreSQL from flattening the window, so rows are read newest
    # first and the outer LIMIT stops the scan as soon as `limit` names have matched.
    # nosec: `sql` is Django's own compiled query (its values stay in `params`); the term is bound.
    statement = (
        f"SELECT w.id FROM ({sql}) w WHERE UPPER(w.inst_name) LIKE UPPER(%s)"  # nosec B608
        " ORDER BY w.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, _like_pattern(term), limit])
        return [row[0] for row in cursor.fetchall()]


def newest_name_matches(scope: QuerySet[Filing], term: str, *, limit: int) -> list[int] | None:
    """The `limit` newest matches of a name search, or None when they are not all recent.

    Why: a frequent term (阳光, 2.5 % of a million names) has tens of thousands of matches; the
    gram index finds them all and PostgreSQL must fetch every one to sort by newest — hundreds of
    milliseconds. Read newest first, 51 matches turn up within a few thousand rows. Rare terms
    would make that walk long, so it is bounded (PUBLIC_SEARCH_WINDOW) and widened once, by the
    density it observed, up to PUBLIC_SEARCH_WINDOW_MAX; past that, the gram index is the fast
    way (few matches) and the caller uses it. The answer is exact either way: matches found in
    the newest W rows, when there are `limit` of them, are the newest `limit` overall.
    """
    window = int(getattr(settings, "PUBLIC_SEARCH_WINDOW", 4000))
    widest = int(getattr(settings, "PUBLIC_SEARCH_WINDOW_MAX", 40000))
    found = _probe(scope, term, limit, window)
    if len(found) >= limit:
        return found
    if found:
        wider = math.ceil(window * limit / len(found) * 1.5)
        if wider <= widest:
            found = _probe(scope, term, limit, wider)
            if len(found) >= limit:
                return found
    return None


def public_filings() -> QuerySet[Filing]:
    return Filing.objects.public().select_related("institution", "region", "vacancy")


def numbered_filings() -> QuerySet[Filing]:
    """Every filing that was given a number, whatever its status now: what a receipt's
    verification looks up (a withdrawn or suspended number still answers, as not current)."""
    return Filing.objects.select_related("institution", "region").exclude(filing_number="")


def address_shown(*, home_based: bool, region_name: str, address: str) -> str:
    """Home-based points show the district only (domain: privacy of a family home)."""
    return region_name if home_based else address


def public_address(filing: Filing) -> str:
    return address_shown(
        home_based=filing.institution.home_based,
        region_name=filing.region.full_name or filing.region.name,
        address=filing.institution.address,
    )


def published_reasons(status: str, reasons: list[Any] | None) -> list[Any]:
    """Nonconformity reasons are public only while the filing is nonconforming (25号 §9)."""
    return list(reasons or []) if status == Filing.Status.NONCONFORMING else []


def facility_sections(filing: Filing, paths: list[str]) -> list[dict[str, Any]]:
    """Sections other apps contribute to the facility page (settings.PUBLIC_FACILITY_SECTIONS).

    A configured module that is not installed yet is skipped; any other error is a bug and raises.
    """
    sections: list[dict[str, Any]] = []
    for path in paths:
        try:
            provider = import_string(path)
        except ImportError:
            continue
        sections.extend(provider(filing))
    return sections
