"""A receiver that is slow around the real one, so a SIGKILL lands mid-delivery (worker tests).

The pause after applying widens the window where the receiver has applied the event but the
worker has not yet marked it sent — the case that forces a redelivery the receiver must absorb.
"""

from __future__ import annotations

import time
from typing import Any

from registry.services.inbox import receive_event as real_receive_event


def receive_event(idempotency_key: str, event_type: str, payload: dict[str, Any]) -> Any:
    time.sleep(0.01)
    result = real_receive_event(idempotency_key, event_type, payload)
    time.sleep(0.02)
    return result
