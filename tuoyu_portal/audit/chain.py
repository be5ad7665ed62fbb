"""Daily hash chain over the audit events, its verification, and the retention purge.

A checkpoint for day D stores SHA-256(previous digest + "\\n" + canonical JSON of every event of
D, ordered by table then id). Changing, adding or removing an event of a checkpointed day, or
any checkpoint, breaks the chain from that day on; ``verify_chain`` says where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .events import event_models
from .models import AuditCheckpoint


def canonical_events(day: date) -> tuple[int, str]:
    """(count, canonical JSON) of every audit event of the Beijing day, context included."""
    rows: list[dict[str, Any]] = []
    for model in event_models():
        for row in (
            model._default_manager.filter(pgh_created_at__date=day)
            .order_by("pgh_id")
            .values(*[f.attname for f in model._meta.concrete_fields], "pgh_context__metadata")
        ):
            rows.append({"table": model._meta.db_table, **row})
    text = json.dumps(rows, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return len(rows), text


def digest_for(previous_digest: str, canonical: str) -> str:
    return hashlib.sha256(f"{previous_digest}\n{canonical}".encode()).hexdigest()


def first_event_day() -> date | None:
    days = [
        model._default_manager.order_by("pgh_created_at")
        .values_list("pgh_created_at", flat=True)
        .first()
        for model in event_models()
    ]
    found = [timezone.localtime(d).date() for d in days if d is not None]
    return min(found) if found else None


@transaction.atomic
def checkpoint_day(day: date) -> AuditCheckpoint:
    """Write the checkpoint of one day (idempotent: an existing checkpoint is returned)."""
    # One writer at a time: the chain is a sequence, two concurrent beats must not fork it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tuoyu.audit_chain'))")
    existing = AuditCheckpoint.objects.filter(day=day).first()
    if existing is not None:
        return existing
    previous = AuditCheckpoint.objects.filter(day__lt=day).order_by("-day").first()
    previous_digest = previous.digest if previous else ""
    count, canonical = canonical_events(day)
    return AuditCheckpoint.objects.create(
        day=day,
        event_count=count,
        previous_digest=previous_digest,
        digest=digest_for(previous_digest, canonical),
    )


def checkpoint_through(last_day: date) -> list[AuditCheckpoint]:
    """Checkpoint every day after the latest checkpoint (or the first event) up to last_day."""
    latest = AuditCheckpoint.objects.order_by("-day").first()
    start = latest.day + timedelta(days=1) if latest else first_event_day()
    written: list[AuditCheckpoint] = []
    if start is None:
        return written
    day = start
    while day <= last_day:
        written.append(checkpoint_day(day))
        day += timedelta(days=1)
    return written


def retention_cutoff(today: date | None = None) -> date:
    """Events before this day may be purged (and are no longer re-hashed by verification)."""
    today = today or timezone.localdate()
    return today - timedelta(days=int(settings.AUDIT_RETENTION_DAYS))


@dataclass
class ChainReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(today: date | None = None) -> ChainReport:
    """Recompute the chain: links between checkpoints always, and each day's digest from the
    events still kept (days past retention were purged; their links are still checked)."""
    cutoff = retention_cutoff(today)
    problems: list[str] = []
    previous_digest = ""
    checked = 0
    for checkpoint in AuditCheckpoint.objects.order_by("day"):
        checked += 1
        if checkpoint.previous_digest != previous_digest:
            problems.append(f"{checkpoint.day}: link to the previous checkpoint is broken")
        if checkpoint.day >= cutoff:
            count, canonical = canonical_events(checkpoint.day)
            if digest_for(checkpoint.previous_digest, canonical) != checkpoint.digest:
                problems.append(
                    f"{checkpoint.day}: events differ from the checkpoint "
                    f"({count} now, {checkpoint.event_count} when sealed)"
                )
        previous_digest = checkpoint.digest
    return ChainReport(checked=checked, problems=problems)


@transaction.atomic
def purge_expired_events(today: date | None = None) -> int:
    """Delete audit events older than AUDIT_RETENTION_DAYS that a checkpoint already sealed.
    The only writer allowed past the append-only triggers, by a transaction-local switch."""
    cutoff = retention_cutoff(today)
    sealed = AuditCheckpoint.objects.filter(day__lt=cutoff).order_by("-day").first()
    if sealed is None:
        return 0
    deleted = 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL tuoyu.audit_maintenance = 'on'")
        try:
            for model in event_models():
                count, _by_model = model._default_manager.filter(
                    pgh_created_at__date__lte=sealed.day
                ).delete()
                deleted += count
        finally:
            # Switch off at once: when called inside a larger transaction, SET LOCAL would
            # otherwise keep the tables writable until that transaction ends.
            cursor.execute("SET LOCAL tuoyu.audit_maintenance = 'off'")
    return deleted
