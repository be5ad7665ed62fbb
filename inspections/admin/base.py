"""Admin plumbing for 5 000 000-row lists: planner-estimated counts, index-backed search by
institution name and filing number, jurisdiction scoping."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from psycopg.errors import QueryCanceled

from registry.models import Filing, Institution
from registry.selectors.public import NameGrams, term_grams
from tuoyu_portal.admin_bases import ScopedAdmin

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


def staff_user(request: HttpRequest) -> User:
    """The signed-in user of an admin page: the admin site lets no one else in."""
    return cast("User", request.user)  # admin_view requires a staff login


def planner_estimate(queryset: QuerySet[Any]) -> int:
    """PostgreSQL's estimate of the rows `queryset` returns, from EXPLAIN (FORMAT JSON).

    Planning only: nothing is executed, so it costs the same for 10 rows and 5 000 000.
    """
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # e.g. visible_to() of someone who may see nothing
        return 0
    with connections[queryset.db].cursor() as cursor:
        # `sql` is Django's own compiled query; the values stay parameters.
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):  # psycopg hands json back parsed; keep working if it does not
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def exact_count_within(queryset: QuerySet[Any], limit: int, timeout_ms: int) -> int | None:
    """COUNT(*) of at most limit + 1 rows, or None when it takes longer than `timeout_ms`."""
    connection = connections[queryset.db]
    try:
        with transaction.atomic(using=queryset.db):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{timeout_ms}ms"]
                )
            count = queryset.order_by()[: limit + 1].count()
            with connection.cursor() as cursor:
                # A released savepoint keeps a local setting: give the caller theirs back.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as error:
        if isinstance(error.__cause__, QueryCanceled):
            return None  # the savepoint (and the timeout with it) is rolled back
        raise
    return count


class EstimatedCountPaginator(Paginator):
    """Counts from the planner's row estimate when it is large, exact COUNT when it is small.

    The well-known pattern for big PostgreSQL tables (PostgreSQL wiki "Count estimate"; the
    estimated-count paginators of Django admin write-ups): COUNT(*) over 5 000 000 rows, or over
    a filter matching a million of them, reads every matching row, while EXPLAIN costs a planning
    pass. Above settings.ADMIN_EXACT_COUNT_LIMIT the estimate is shown (labelled 约, see
    templates/admin/inspections/). At or below it the count is exact, bounded in rows (limit + 1)
    and in time (ADMIN_EXACT_COUNT_TIMEOUT_MS): an estimate that was far too low, or a small set
    that is slow to find (a province's visits this month), falls back to the estimate.
    """

    count_is_estimate: bool = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        limit: int = settings.ADMIN_EXACT_COUNT_LIMIT
        estimate = planner_estimate(queryset)
        if estimate <= limit:
            exact = exact_count_within(queryset, limit, settings.ADMIN_EXACT_COUNT_TIMEOUT_MS)
            if exact is not None and exact <= limit:
                return exact
            estimate = max(estimate, exact or 0)  # at least limit + 1 rows when it overflowed
        self.count_is_estimate = True
        return estimate

    def validate_number(self, number: Any) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # An estimate may fall short of the real count: pages past it stay reachable.
            if self.count_is_estimate and int(number) >= 1:
                return int(number)
            raise

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        # Not cut at the estimated count: a page holds the rows really there.
        bottom = (number - 1) * self.per_page
        return self._get_page(  # type: ignore[attr-defined]  # missing from django-stubs
            self.object_list[bottom : bottom + self.per_page], number, self
        )


class LargeListAdmin(ScopedAdmin):
    """A scoped admin for lists of millions of rows: estimated counts, no facets."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts are one COUNT per filter choice over the whole list: seconds at 5 000 000 rows.
    show_facets = admin.ShowFacets.NEVER


# --------------------------------------------------------------------------- search

# Up to this many matching institutions (or filings) their ids go into the list's query, which
# reads their rows by index and sorts them; past it the term is common, and walking the list's
# own order index meets a page of matches quickly. Either way about 25 000 rows at most are read
# for a page of 100 out of 5 000 000 (≤ 5 000 institutions × ~5 visits; or matches in ≥ 1/200).
SEARCH_ID_LIST_MAX = 5000

FILING_NUMBER_TERM = re.compile(r"[0-9A-Za-z-]+")


def search_terms(search_term: str) -> list[str]:
    """The admin's own splitting: words, or "quoted phrases"."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def institution_name_q(request: HttpRequest, term: str, field: str = "institution") -> Q:
    """Rows whose institution's name contains `term`, found through the name-gram GIN index
    (registry migration 0003) instead of ILIKE over a join of millions of rows."""
    candidates = Institution.objects.alias(name_grams=NameGrams(F("name"))).filter(
        name_grams__contains=term_grams(term)  # type: ignore[misc]  # the alias is an array
    )
    if not request.user.is_superuser:
        # Inspections and findings are scoped by their institution's region (models._scoped),
        # so only the user's own institutions can match: a much smaller probe, no row lost.
        candidates = candidates.visible_to(staff_user(request))
    # The planner's estimate comes first: the gram statistics know a common 1- or 2-character
    # term (托: 800 000 names), whose probe alone would read the whole posting list. Longer
    # terms are underestimated (bigrams taken as independent), so they still get probed.
    common = planner_estimate(candidates) > 2 * SEARCH_ID_LIST_MAX
    rows = [] if common else list(candidates.values_list("pk", "name")[: SEARCH_ID_LIST_MAX + 1])
    if common or len(rows) > SEARCH_ID_LIST_MAX:
        # A common term: walking the list's order index meets a page of matches at once. Plain
        # LIKE (Chinese has no case) is estimated from the name's statistics (raised to 1000 in
        # migration 0005), so the planner walks rather than fetch and sort every match.
        lookup = "contains" if term.lower() == term.upper() else "icontains"
        return Q(**{f"{field}__name__{lookup}": term})
    # 1 and 2 characters are grams themselves; longer terms need their bigrams adjacent, which
    # is rechecked here rather than by LIKE in SQL: the planner would multiply both conditions'
    # selectivities, expect one row, and skip the jurisdiction index (seconds instead of ms).
    needle = term.lower()
    ids = [pk for pk, name in rows if len(term) <= 2 or needle in name.lower()]
    return Q(**{f"{field}__in": ids})


def filing_number_q(request: HttpRequest, term: str, field: str = "filing") -> Q | None:
    """Rows whose filing number starts with `term` (370202-2026-00012, or a prefix of it),
    through filing_number_prefix_idx (inspections migration 0005)."""
    if not FILING_NUMBER_TERM.fullmatch(term):
        return None
    numbers = Filing.objects.filter(filing_number__startswith=term).exclude(filing_number="")
    if not request.user.is_superuser:
        numbers = numbers.visible_to(staff_user(request))  # same institution-region scope, as above
    ids = list(numbers.values_list("pk", flat=True)[: SEARCH_ID_LIST_MAX + 1])
    if len(ids) > SEARCH_ID_LIST_MAX:
        return Q(**{f"{field}__filing_number__startswith": term})
    return Q(**{f"{field}__in": ids})
