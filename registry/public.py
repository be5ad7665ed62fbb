"""Reads of the public register (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Func, QuerySet, TextField
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from registry.models import Filing
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
) -> QuerySet[Filing]:
    """Filter public filings. `q` uses the gram index, then LIKE rechecks the exact substring."""
    if region:
        queryset = queryset.filter(region__code__startswith=code_prefix(region))
    if care_mode:
        queryset = queryset.filter(care_modes__contains=[care_mode])
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    q = "".join(q.split())
    if q:
        queryset = queryset.alias(name_grams=NameGrams(F("institution__name"))).filter(
            name_grams__contains=term_grams(q), institution__name__icontains=q
        )
    return queryset


def public_filings() -> QuerySet[Filing]:
    return Filing.objects.public().select_related("institution", "region")


def public_address(filing: Filing) -> str:
    """Home-based points show the district only (domain: privacy of a family home)."""
    region_name = filing.region.full_name or filing.region.name
    if filing.institution.home_based:
        return region_name
    return filing.institution.address


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
    # Rendered here: `{% include … with context=… %}` cannot pass a dict (it clashes with
    # Context.push's own `context` argument: a 500 on every facility page with sections).
    for section in sections:
        section["html"] = render_to_string(section["template"], section.get("context", {}))
    return sections
