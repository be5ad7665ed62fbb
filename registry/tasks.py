"""Thin Celery tasks of the registry app (style.md §8)."""

from __future__ import annotations

from celery import shared_task

from registry.services import reconciliation


@shared_task(name="registry.tasks.reconcile_registrations")
def reconcile_registrations() -> int:
    return reconciliation.reconcile_registrations().mismatch_count


@shared_task(name="registry.tasks.rebuild_open_data", acks_late=True)
def rebuild_open_data() -> list[str]:
    """After a change to the register: rebuild the open data files (idempotent)."""
    from registry import opendata

    return opendata.rebuild()


@shared_task(name="registry.tasks.refresh_open_data")
def refresh_open_data() -> list[str]:
    """Sweep: rebuild the open data files when the register changed since the last build."""
    from registry import opendata

    return opendata.rebuild_if_stale()


@shared_task(name="registry.tasks.notify_watchers", acks_late=True)
def notify_watchers(event_id: int) -> int:
    """Tell a facility's confirmed watchers about a change of its public record (idempotent)."""
    from registry.services import watches

    return watches.deliver_event(event_id)


@shared_task(name="registry.tasks.sweep_watch_events")
def sweep_watch_events() -> int:
    """Deliver watch events whose task was lost (broker down at commit time)."""
    from registry.services import watches

    return watches.deliver_pending()


@shared_task(name="registry.tasks.remind_stale_vacancies")
def remind_stale_vacancies() -> int:
    """Monthly: operators whose published free places are stale are asked to update them."""
    from registry.services import vacancies

    return vacancies.remind_stale_vacancies()


@shared_task(name="registry.tasks.send_watch_confirmation", acks_late=True)
def send_watch_confirmation(watch_id: int) -> bool:
    """The double opt-in e-mail of a new watch."""
    from registry.services import watches

    return watches.send_confirmation(watch_id)
