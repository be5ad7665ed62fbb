"""Keep personal identifiers out of logs (个人信息保护法; issue: log scrubbing)."""

from __future__ import annotations

import logging
import re

from .crypto import mask_id, mask_phone

# 18-character resident ID numbers and 11-digit mainland mobile numbers, not inside longer digit runs.
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id(m.group(0)), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


class RedactPersonalData(logging.Filter):
    """Rewrite each record's final message with ID and phone numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True
