"""The `schemes:` section of the region rule files (fixtures/rules/*.yaml) -> subsidies.Scheme
rows; `load_rules` applies it through settings.RULE_FILE_SECTIONS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db.models import Q

from subsidies.models import Scheme, SchemeKind
from tuoyu_portal.regions.rule_files import NATIONAL_FILE, RuleFileError, file_date, file_label


@dataclass(frozen=True)
class FileScheme:
    """A subsidy scheme a region file declares (subsidies.Scheme: amounts are local, §6)."""

    region: str
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    amount: Decimal
    amount_third_plus: Decimal | None
    basis: str
    city_share: Decimal | None = None


def _amount(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RuleFileError(f"{where}: not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise RuleFileError(f"{where}: not an amount: {value!r}")
    return amount


def parse_schemes(path: Path) -> list[FileScheme]:
    """The optional `schemes:` section of a region file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    region = str(data.get("region", ""))
    found: list[FileScheme] = []
    for index, entry in enumerate(data.get("schemes") or []):
        where = f"{file_label(path)} scheme {index + 1}"
        if entry.get("kind") not in SchemeKind.values:
            raise RuleFileError(f"{where}: unknown subsidy kind {entry.get('kind')!r}")
        source = entry.get("source") or {}
        if not source.get("document"):
            raise RuleFileError(f"{where}: every amount needs its source document")
        third = entry.get("amount_third_plus")
        share = entry.get("city_share")
        city_share = _amount(share, where) if share is not None else None
        if city_share is not None and city_share > 1:
            raise RuleFileError(f"{where}: city_share is a part of 1: {share!r}")
        found.append(
            FileScheme(
                region=region,
                kind=entry["kind"],
                valid_from=file_date(entry.get("valid_from"), where),
                valid_to=file_date(entry["valid_to"], where) if entry.get("valid_to") else None,
                amount=_amount(entry.get("amount"), where),
                amount_third_plus=_amount(third, where) if third is not None else None,
                basis=f"{source['document']} {source.get('article', '')}".strip()[:200],
                city_share=city_share,
            )
        )
    return found


def apply_schemes(directory: Path, *, dry_run: bool) -> list[str]:
    """Create or update the schemes the files declare (by region, kind and start date)."""
    lines: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name != NATIONAL_FILE:
            lines.extend(apply_file_schemes(path, dry_run=dry_run))
    return lines


def _existing(item: FileScheme) -> Scheme | None:
    """The row a file entry stands for: the same start date, or else a row typed earlier (the
    demo seed) that overlaps it with the same amounts, which the file now owns."""
    rows = Scheme.objects.filter(region_id=item.region, kind=item.kind)
    row = rows.filter(valid_from=item.valid_from).first()
    if row is not None:
        return row
    overlapping = rows.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=item.valid_from),
        **({"valid_from__lte": item.valid_to} if item.valid_to else {}),
    )
    for candidate in overlapping:
        if (candidate.amount, candidate.amount_third_plus) == (
            item.amount,
            item.amount_third_plus,
        ):
            return candidate
    return None


def apply_file_schemes(path: Path, *, dry_run: bool) -> list[str]:
    """The schemes of one region file (the 岚山 demo seeds its county's from its file)."""
    lines: list[str] = []
    for item in parse_schemes(path):
        values = {
            "valid_from": item.valid_from,
            "valid_to": item.valid_to,
            "amount": item.amount,
            "amount_third_plus": item.amount_third_plus,
            "basis": item.basis,
            "illustrative": False,
            "city_share": item.city_share,
        }
        row = _existing(item)
        if row is not None and all(getattr(row, k) == v for k, v in values.items()):
            continue
        sign = "+" if row is None else "~"
        lines.append(
            f"{sign} {item.region} scheme {item.kind} from {item.valid_from} = {item.amount}"
        )
        if dry_run:
            continue
        row = row or Scheme(region_id=item.region, kind=item.kind)
        for key, value in values.items():
            setattr(row, key, value)
        try:
            row.full_clean()
        except ValidationError as error:
            raise RuleFileError(
                f"{item.region} scheme {item.kind}: {'; '.join(error.messages)}"
            ) from None
        row.save()
    return lines
