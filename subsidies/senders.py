"""Pluggable senders for messages to parents (SMS or e-mail), chosen by PARENT_MESSAGE_BACKEND.

Production plugs in the county's SMS gateway by naming a class with the same `send` method;
development uses the console or a file, tests the in-memory outbox.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from tuoyu_portal.crypto import mask_phone


@dataclass(frozen=True)
class ParentMessage:
    channel: str  # "sms" | "email"
    to: str
    subject: str
    body: str


class ParentSender(Protocol):
    def send(self, message: ParentMessage) -> None: ...


class ConsoleSender:
    """Development: prints the message (and its link) to the worker's stdout; the number is
    masked, the link is what a developer needs."""

    def send(self, message: ParentMessage) -> None:
        to = mask_phone(message.to) if message.channel == "sms" else message.to
        sys.stdout.write(f"[{message.channel} → {to}] {message.subject}\n{message.body}\n")


class FileSender:
    """Development: appends each message as a JSON line to PARENT_MESSAGE_FILE."""

    def send(self, message: ParentMessage) -> None:
        path = Path(settings.PARENT_MESSAGE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            record = {**asdict(message), "at": timezone.now().isoformat()}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


class EmailOrConsoleSender:
    """E-mail contacts through Django's e-mail backend; SMS to the console (no gateway yet)."""

    def send(self, message: ParentMessage) -> None:
        if message.channel == "email":
            send_mail(message.subject, message.body, None, [message.to])
        else:
            ConsoleSender().send(message)


class MemorySender:
    """Tests: keeps the messages in `outbox`, like Django's locmem e-mail backend."""

    outbox: list[ParentMessage] = []  # noqa: RUF012 (shared on purpose, like mail.outbox)

    def send(self, message: ParentMessage) -> None:
        MemorySender.outbox.append(message)


def get_sender() -> ParentSender:
    return import_string(settings.PARENT_MESSAGE_BACKEND)()
