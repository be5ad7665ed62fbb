"""fixtures/rules/*.yaml → RegionRule rows: parse, check against the registry, diff, apply.

The files are the source of the rules they contain: `load_rules` adds what is new, changes what
differs and removes rows that came from a file of the same directory but are no longer in it.
Rows typed in the admin (no `loaded_from`) are never touched. Other sections of the same files
(subsidy schemes) are applied by the app that owns them, listed in settings.RULE_FILE_SECTIONS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Region, RegionRule
from .rules import RULES, RuleValueError, validate_value

DEFAULT_DIR = Path(settings.BASE_DIR) / "fixtures" / "rules"
NATIONAL_FILE = "national.yaml"


class RuleFileError(ValueError):
    """A fixture file that cannot be loaded as it stands (the message names file and entry)."""


@dataclass(frozen=True)
class FileRule:
    key: str
    region: str
    valid_from: dt.date
    value: Any
    valid_to: dt.date | None
    basis: str
    quote: str
    loaded_from: str

    @property
    def identity(self) -> tuple[str, str, dt.date]:
        return (self.key, self.region, self.valid_from)


@dataclass
class Change:
    action: str  # add | change | remove
    key: str
    region: str
    valid_from: dt.date
    before: Any = None
    after: Any = None

    def __str__(self) -> str:
        sign = {"add": "+", "change": "~", "remove": "-"}[self.action]
        what = {
            "add": f"= {self.after!r}",
            "change": f"{self.before!r} → {self.after!r}",
            "remove": f"(was {self.before!r})",
        }[self.action]
        return f"{sign} {self.region} {self.key} from {self.valid_from} {what}"


class SectionChange(Change):
    """A row of another section (an app's, e.g. subsidy schemes) created or updated from a file
    (already applied unless dry run)."""

    def __init__(self, line: str) -> None:
        super().__init__("add" if line.startswith("+") else "change", "", "", dt.date.min)
        self.line = line

    def __str__(self) -> str:
        return self.line


def file_label(path: Path) -> str:
    """How a file is recorded on its rows: relative to the project, never an absolute path."""
    try:
        return path.resolve().relative_to(Path(settings.BASE_DIR).resolve()).as_posix()
    except ValueError:
        return f"{path.parent.name}/{path.name}"


def file_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleFileError(f"{where}: not a date: {value!r}") from None


def check_national(path: Path) -> None:
    """national.yaml restates the registry's defaults with their documents; they must agree."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for entry in data.get("defaults", []):
        key = entry.get("key")
        spec = RULES.get(key)
        if spec is None:
            raise RuleFileError(f"{path.name}: unknown rule {key!r}")
        if entry.get("value") != spec.default:
            raise RuleFileError(
                f"{path.name}: {key} is {entry.get('value')!r} here but {spec.default!r} in the "
                "registry (tuoyu_portal/regions/rules.py)"
            )
        if spec.source is None:
            raise RuleFileError(
                f"{path.name}: {key} is cited here but has no source in the registry"
            )


def parse_file(path: Path) -> list[FileRule]:
    """One region file: every entry checked against the registry (key, type, range, dates)."""
    label = file_label(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise RuleFileError(f"{label}: not valid YAML: {error}") from None
    region = str(data.get("region", ""))
    if not (len(region) == 6 and region.isdigit()):
        raise RuleFileError(f"{label}: 'region' must be a six-digit code")
    if path.stem != region:
        raise RuleFileError(f"{label}: file name must be the region code ({region}.yaml)")
    found: list[FileRule] = []
    seen: set[tuple[str, str, dt.date]] = set()
    for index, entry in enumerate(data.get("rules") or []):
        where = f"{label} rule {index + 1} ({entry.get('key')})"
        key = entry.get("key")
        try:
            value = validate_value(key, entry.get("value"))
        except RuleValueError as error:
            raise RuleFileError(f"{where}: {error}") from None
        source = entry.get("source") or {}
        if not source.get("document"):
            raise RuleFileError(f"{where}: every value needs its source document")
        start = file_date(entry.get("valid_from"), where)
        end = file_date(entry["valid_to"], where) if entry.get("valid_to") else None
        if end is not None and end < start:
            raise RuleFileError(f"{where}: valid_to before valid_from")
        item = FileRule(
            key=key,
            region=region,
            valid_from=start,
            value=value,
            valid_to=end,
            basis=f"{source['document']} {source.get('article', '')}".strip(),
            quote=str(source.get("quote", "")),
            loaded_from=label,
        )
        if item.identity in seen:
            raise RuleFileError(f"{where}: the same key and date appear twice")
        seen.add(item.identity)
        found.append(item)
    return found


def read_directory(directory: Path) -> list[FileRule]:
    if not directory.is_dir():
        raise RuleFileError(f"{directory.name}: no such directory")
    national = directory / NATIONAL_FILE
    if national.exists():
        check_national(national)
    found: list[FileRule] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name != NATIONAL_FILE:
            found.extend(parse_file(path))
    return found


def diff(directory: Path, wanted: Iterable[FileRule]) -> list[Change]:
    """What applying the files would do to the database."""
    wanted = list(wanted)
    prefix = file_label(directory / "x")[:-1]
    known_regions = set(
        Region.objects.filter(code__in={w.region for w in wanted}).values_list("code", flat=True)
    )
    missing = sorted({w.region for w in wanted} - known_regions)
    if missing:
        raise RuleFileError(f"unknown region codes: {', '.join(missing)} (run load_regions first)")
    current = {
        (row.key, row.region_id, row.effective_from): row
        for row in RegionRule.objects.filter(region_id__in=known_regions)
        | RegionRule.objects.filter(loaded_from__startswith=prefix)
    }
    changes: list[Change] = []
    for item in wanted:
        row = current.pop(item.identity, None)
        if row is None:
            changes.append(Change("add", item.key, item.region, item.valid_from, after=item.value))
        elif (row.value, row.valid_to, row.basis, row.quote, row.loaded_from) != (
            item.value,
            item.valid_to,
            item.basis,
            item.quote,
            item.loaded_from,
        ):
            changes.append(
                Change("change", item.key, item.region, item.valid_from, row.value, item.value)
            )
    for (key, region, start), row in sorted(current.items()):
        if row.loaded_from.startswith(prefix):
            changes.append(Change("remove", key, region, start, before=row.value))
    return changes


@transaction.atomic
def apply(directory: Path | None = None, *, dry_run: bool = False) -> list[Change]:
    """Load a directory of rule files; returns the changes (none applied when dry_run)."""
    directory = directory or DEFAULT_DIR
    wanted = read_directory(directory)
    changes = diff(directory, wanted)
    for section in settings.RULE_FILE_SECTIONS:
        apply_section = import_string(section)
        changes.extend(SectionChange(line) for line in apply_section(directory, dry_run=dry_run))
    if dry_run:
        return changes
    by_identity = {item.identity: item for item in wanted}
    for change in changes:
        if isinstance(change, SectionChange):
            continue
        identity = (change.key, change.region, change.valid_from)
        lookup: dict[str, Any] = {
            "key": change.key,
            "region_id": change.region,
            "effective_from": change.valid_from,
        }
        if change.action == "remove":
            RegionRule.objects.filter(**lookup).delete()
            continue
        item = by_identity[identity]
        RegionRule.objects.update_or_create(
            **lookup,
            defaults={
                "value": item.value,
                "valid_to": item.valid_to,
                "basis": item.basis,
                "quote": item.quote,
                "loaded_from": item.loaded_from,
            },
        )
    return changes
