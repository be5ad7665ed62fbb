"""Open data with a contract: the public register as versioned CSV and JSON files.

The files are built by a task after the data changes (and by a sweep), stored as
PublishedDataset rows and served as stored, with ETag and Last-Modified; never built per request.
The published fields of each dataset are defined once here; `opendata_schema.json` (committed)
holds the changelog, and tests/registry/test_open_data.py fails when the fields here differ
from the newest changelog entry — a field is never changed without announcing it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from tuoyu_portal import failopen

from .models import FacilityVacancy, Filing, Institution, PublishedDataset
from .selectors.public import address_shown, published_reasons

SCHEMA_FILE = Path(__file__).with_name("opendata_schema.json")

# name → (type, description). The order is the CSV column order.
DATASET_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "facilities": [
        ("filing_number", "string", "备案编号"),
        ("name", "string", "机构名称"),
        ("region", "string", "县级行政区划代码"),
        ("region_name", "string", "所在地区"),
        ("address", "string", "地址（家庭托育点仅到县区）"),
        ("care_modes", "string", "托育方式，分号分隔（full_day;half_day;hourly;temporary）"),
        ("places", "integer", "备案托位数"),
        ("inclusive", "boolean", "是否普惠性托育"),
        ("monthly_fee", "decimal", "月收费（元）"),
        ("status", "string", "备案状态（filed | nonconforming | closing）"),
        ("filed_on", "date", "备案日期"),
        ("nonconformity_reasons", "string", "不符合设置标准的公开原因，分号分隔"),
        ("free_places", "integer", "空余托位（机构自报）"),
        ("vacancies_updated_on", "date", "空余托位更新日期"),
    ],
    "regions": [
        ("region", "string", "县级行政区划代码"),
        ("region_name", "string", "地区名称"),
        ("facilities", "integer", "公开的托育机构数"),
        ("places", "integer", "备案托位数"),
        ("inclusive_facilities", "integer", "普惠性托育机构数"),
        ("free_places", "integer", "空余托位（机构自报）"),
    ],
}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
REBUILD_QUEUED_KEY = "opendata:rebuild-queued"


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_version(dataset: str) -> str:
    return str(schema()[dataset]["changelog"][-1]["version"])


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ (or a tab/CR) gets a
    leading apostrophe, so Excel/WPS shows it as text instead of running it (CWE-1236)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def facility_rows() -> Iterable[dict[str, Any]]:
    rows = (
        Filing.objects.public()
        .order_by("id")
        .values(
            "filing_number",
            "institution__name",
            "institution__address",
            "institution__home_based",
            "region_id",
            "region__name",
            "region__full_name",
            "care_modes",
            "places",
            "inclusive",
            "monthly_fee",
            "status",
            "filed_on",
            "nonconformity_reasons",
            "vacancy__free_places",
            "vacancy__updated_at",
        )
    )
    for r in rows.iterator(chunk_size=2000):
        region_name = r["region__full_name"] or r["region__name"]
        updated = r["vacancy__updated_at"]
        yield {
            "filing_number": r["filing_number"],
            "name": r["institution__name"],
            "region": r["region_id"],
            "region_name": region_name,
            "address": address_shown(
                home_based=r["institution__home_based"],
                region_name=region_name,
                address=r["institution__address"],
            ),
            "care_modes": ";".join(r["care_modes"] or []),
            "places": r["places"],
            "inclusive": r["inclusive"],
            "monthly_fee": None if r["monthly_fee"] is None else f"{r['monthly_fee']:.2f}",
            "status": r["status"],
            "filed_on": r["filed_on"].isoformat() if r["filed_on"] else None,
            "nonconformity_reasons": ";".join(
                str(x) for x in published_reasons(r["status"], r["nonconformity_reasons"])
            ),
            "free_places": r["vacancy__free_places"],
            "vacancies_updated_on": timezone.localdate(updated).isoformat() if updated else None,
        }


def region_rows() -> Iterable[dict[str, Any]]:
    rows = (
        Filing.objects.public()
        .values("region_id", "region__name", "region__full_name")
        .annotate(
            facilities=Count("id"),
            places_sum=Sum("places"),
            inclusive_facilities=Count("id", filter=Q(inclusive=True)),
            free_sum=Sum("vacancy__free_places"),
        )
        .order_by("region_id")
    )
    for r in rows:
        yield {
            "region": r["region_id"],
            "region_name": r["region__full_name"] or r["region__name"],
            "facilities": r["facilities"],
            "places": r["places_sum"] or 0,
            "inclusive_facilities": r["inclusive_facilities"],
            "free_places": r["free_sum"] or 0,
        }


def render(dataset: str, rows: Iterable[dict[str, Any]]) -> tuple[bytes, bytes, int]:
    """The CSV and JSON files of a dataset in one pass over its rows (no list of rows kept)."""
    fields = [name for name, _type, _desc in DATASET_FIELDS[dataset]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    parts: list[str] = []
    for row in rows:
        writer.writerow(["" if row[f] is None else safe_cell(row[f]) for f in fields])
        parts.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(
        {"dataset": dataset, "schema_version": schema_version(dataset)}, ensure_ascii=False
    )
    body = head[:-1] + ',"rows":[' + ",".join(parts) + "]}"
    # UTF-8 with BOM: Excel on Windows opens it as UTF-8, not GBK.
    return "\ufeff".encode() + out.getvalue().encode("utf-8"), body.encode("utf-8"), len(parts)


BUILDERS = {"facilities": facility_rows, "regions": region_rows}


def rebuild() -> list[str]:
    """Build every dataset file; store those whose content changed (their ETag and
    Last-Modified change with them). Idempotent: an unchanged dataset keeps its row."""
    changed: list[str] = []
    now = timezone.now()
    for dataset, builder in BUILDERS.items():
        csv_bytes, json_bytes, count = render(dataset, builder())
        version = schema_version(dataset)
        for fmt, content in (("csv", csv_bytes), ("json", json_bytes)):
            name = f"{dataset}.{fmt}"
            etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
            current = PublishedDataset.objects.filter(name=name).values_list("etag", flat=True)
            if list(current) == [etag]:
                continue
            PublishedDataset.objects.update_or_create(
                name=name,
                defaults={
                    "content": content,
                    "content_type": FORMATS[fmt],
                    "etag": etag,
                    "schema_version": version,
                    "built_at": now,
                    "rows": count,
                },
            )
            changed.append(name)
    failopen.call(lambda: cache.delete(REBUILD_QUEUED_KEY), None, "open-data mark")
    return changed


def rebuild_if_stale() -> list[str]:
    """Sweep: rebuild when a public filing changed after the last build (or none exists)."""
    built = PublishedDataset.objects.aggregate(last=Max("built_at"))["last"]
    changed = [
        Filing.objects.aggregate(last=Max("updated_at"))["last"],
        Institution.objects.aggregate(last=Max("updated_at"))["last"],
        FacilityVacancy.objects.aggregate(last=Max("updated_at"))["last"],
    ]
    if built is None or any(when is not None and when > built for when in changed):
        return rebuild()
    return []


def _queue() -> None:
    from tuoyu_portal.background import publish_in_background

    # One queued rebuild at a time: a burst of changes makes one build, not one per change; the
    # build clears the mark. A lost task (broker down) leaves it to expire; the sweep rebuilds.
    # With the cache down, queue nothing: the request never fails, and the 10-minute sweep
    # (rebuild_if_stale) rebuilds. Queueing anyway made one build per save in an outage, and
    # that flood held up the pushes once the broker was back.
    added, _reached = failopen.call(
        lambda: cache.add(REBUILD_QUEUED_KEY, 1, timeout=300), False, "open-data mark"
    )
    if not added:
        return
    publish_in_background("registry.tasks.rebuild_open_data")


def schedule_rebuild(**_kwargs: Any) -> None:
    """After the current transaction commits, queue a rebuild of the open data files (also a
    post_save receiver of Filing and Institution, beside the public cache's, registry/apps.py)."""
    transaction.on_commit(_queue)
