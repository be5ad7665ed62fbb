"""Watching a facility (api.md 1.1): double opt-in by e-mail, told of changes to its
public record, one-click unsubscribe. Addresses are encrypted, never shown, deleted on leaving.

Links carry signed tokens (django.core.signing, salted per purpose) naming the watch; nothing
secret is stored. The services that change a public record call `record_public_change` inside
their transaction; a task sends the messages after commit (outbox row WatchEvent).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from registry.models import Filing, Watch, WatchEvent
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.background import enqueue_after_commit
from tuoyu_portal.exceptions import DomainError, RuleViolation, collect

log = logging.getLogger(__name__)

CONFIRM_SALT = "registry.watch.confirm"
UNSUBSCRIBE_SALT = "registry.watch.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # a confirmation link works for a week


class WatchLinkInvalid(DomainError):
    def __init__(self) -> None:
        super().__init__(RuleViolation("watch_link_invalid", _("该链接无效或已过期。"), None))


def _email_hash(email: str) -> str:
    return crypto.keyed_hash(email.strip().lower())


def confirm_url(watch: Watch) -> str:
    token = signing.dumps(watch.pk, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("public-watch-confirm", args=[token])


def unsubscribe_url(watch: Watch) -> str:
    token = signing.dumps(watch.pk, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("public-watch-unsubscribe", args=[token])


def _address(watch: Watch) -> str:
    if watch.user is not None:
        return str(watch.user.email)
    return crypto.decrypt(watch.email_encrypted)


def _send(watch: Watch, subject: str, template: str, context: dict[str, Any]) -> None:
    """One message with an unsubscribe link and RFC 8058 one-click List-Unsubscribe headers."""
    unsubscribe = unsubscribe_url(watch)
    body = render_to_string(template, {**context, "unsubscribe_url": unsubscribe})
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[_address(watch)],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


@transaction.atomic(durable=True)
def request_watch(*, facility: str, email: str) -> Watch | None:
    """Anyone asks to watch a public facility; a confirmation e-mail goes out after commit.

    The answer never says whether the address already watches it (202 either way); a confirmed
    watch is left as it is and nothing is sent.
    """
    found: list[RuleViolation] = []
    filing = Filing.objects.public().filter(filing_number=(facility or "").strip()).first()
    if filing is None:
        found.append(RuleViolation("unknown_facility", _("找不到该备案编号的机构。"), "facility"))
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        found.append(RuleViolation("email_invalid", _("请填写有效的电子邮箱。"), "email"))
    collect(found)
    assert filing is not None
    digest = _email_hash(email)
    watch = Watch.objects.filter(filing=filing, email_hash=digest, user__isnull=True).first()
    if watch is None:
        try:
            with transaction.atomic():
                watch = Watch.objects.create(
                    filing=filing, email_hash=digest, email_encrypted=crypto.encrypt(email)
                )
        except IntegrityError:  # the same request twice at once
            return None
    if watch.confirmed_at is not None:
        return watch
    enqueue_after_commit("registry.tasks.send_watch_confirmation", watch.pk)
    return watch


def send_confirmation(watch_id: int) -> bool:
    """Task body: the double opt-in e-mail (again, if asked again before confirming)."""
    watch = Watch.objects.select_related("filing__institution").filter(pk=watch_id).first()
    if watch is None or watch.confirmed_at is not None or watch.filing is None:
        return False
    _send(
        watch,
        str(_("请确认关注：%(name)s") % {"name": watch.filing.institution.name}),
        "emails/watch_confirm.txt",
        {"name": watch.filing.institution.name, "confirm_url": confirm_url(watch)},
    )
    return True


def _unsign(token: str, salt: str, max_age: int | None = None) -> int:
    try:
        return int(signing.loads(token, salt=salt, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        raise WatchLinkInvalid()


def watch_for_confirm(token: str) -> Watch:
    watch = (
        Watch.objects.select_related("filing__institution")
        .filter(pk=_unsign(token, CONFIRM_SALT, CONFIRM_MAX_AGE))
        .first()
    )
    if watch is None:
        raise WatchLinkInvalid()
    return watch


@transaction.atomic(durable=True)
def confirm_watch(token: str) -> Watch:
    """The link in the confirmation e-mail: the watch is live from now on."""
    watch = watch_for_confirm(token)
    if watch.confirmed_at is None:
        watch.confirmed_at = timezone.now()
        watch.save(update_fields=["confirmed_at"])
    return watch


def watch_for_unsubscribe(token: str) -> Watch:
    watch = (
        Watch.objects.select_related("filing__institution")
        .filter(pk=_unsign(token, UNSUBSCRIBE_SALT))
        .first()
    )
    if watch is None:
        raise WatchLinkInvalid()
    return watch


@transaction.atomic(durable=True)
def unsubscribe(token: str) -> None:
    """One click: the watch and its encrypted address are deleted (nothing kept)."""
    watch_for_unsubscribe(token).delete()


@transaction.atomic(durable=True)
def set_office_watch(user: User, *, on: bool) -> Watch | None:
    """A subsidy officer's toggle: hear about every facility their region pays."""
    if on:
        watch, _created = Watch.objects.get_or_create(
            user=user, defaults={"confirmed_at": timezone.now()}
        )
        return watch
    Watch.objects.filter(user=user).delete()
    return None


def record_public_change(filing: Filing, *, kind: str, detail: str = "") -> WatchEvent:
    """Within the service that changed the facility's public record: the outbox row, and the
    delivery task after commit."""
    event = WatchEvent.objects.create(filing=filing, kind=kind, detail=detail[:300])
    enqueue_after_commit("registry.tasks.notify_watchers", event.pk)
    return event


def _office_watchers(filing: Filing) -> list[Watch]:
    """Subsidy offices watching the facilities they pay (providers: WATCH_OFFICE_PROVIDERS,
    since registry never imports the subsidies app)."""
    users: set[int] = set()
    for path in getattr(settings, "WATCH_OFFICE_PROVIDERS", []):
        users |= set(import_string(path)(filing))
    return list(Watch.objects.filter(user_id__in=users).select_related("user"))


def deliver_event(event_id: int) -> int:
    """Task body: send the event to the facility's confirmed watchers, once.

    The row is claimed by a state-filtered UPDATE (sent_at), so a second run sends nothing.
    """
    claimed = WatchEvent.objects.filter(pk=event_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return 0
    event = WatchEvent.objects.select_related("filing__institution").get(pk=event_id)
    watchers = list(
        Watch.objects.filter(filing=event.filing, confirmed_at__isnull=False, user__isnull=True)
    ) + _office_watchers(event.filing)
    name = event.filing.institution.name
    page = settings.SITE_URL + reverse("public-facility", args=[event.filing.filing_number])
    sent = 0
    for watch in watchers:
        try:
            _send(
                watch,
                str(_("%(name)s 的公开信息有变化") % {"name": name}),
                "emails/watch_change.txt",
                {
                    "name": name,
                    "change": event.get_kind_display(),
                    "detail": event.detail,
                    "page_url": page,
                },
            )
            sent += 1
        except Exception:  # one bad address must not stop the others
            log.warning("watch %s: message not sent", watch.pk, exc_info=True)
    WatchEvent.objects.filter(pk=event_id).update(recipients=sent)
    return sent


def deliver_pending() -> int:
    """Sweep: events whose task was lost (older than a minute, still unsent)."""
    cutoff = timezone.now() - timedelta(minutes=1)
    ids = WatchEvent.objects.filter(sent_at__isnull=True, created_at__lt=cutoff).values_list(
        "id", flat=True
    )
    return sum(deliver_event(pk) for pk in ids)
