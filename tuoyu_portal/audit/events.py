"""What the apps use to declare their audit-event models, and how the audit finds them.

Each app declares the pghistory event models of its own tables (the platform imports no app),
with app_label="audit", so the tables, triggers and migrations stay the audit app's. The chain,
the admin and the retention purge read the list in ``settings.AUDIT_EVENT_MODELS``: its order is
part of the chain's canonical form, so new event models are appended at the end only.
"""

from __future__ import annotations

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import models


def trackers() -> tuple[pghistory.RowEvent, ...]:
    """Fresh trackers per model: a tracker binds its update condition to the model it serves."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def _exclude(model: type[models.Model]) -> list[str]:
    # Encrypted ID columns are not copied: the keyed hash is enough to follow a person through
    # history, and fewer ciphertext copies means less to re-encrypt at a key rotation.
    return [f.name for f in model._meta.concrete_fields if f.name.endswith("_encrypted")]


def event_model_base(tracked: type[models.Model], model_name: str) -> type[models.Model]:
    """The abstract pghistory event model an app subclasses (as `model_name`) for `tracked`."""
    return pghistory.create_event_model(
        tracked,
        *trackers(),
        exclude=_exclude(tracked),
        model_name=model_name,
        app_label="audit",
    )


def event_models() -> tuple[type[models.Model], ...]:
    """The configured audit-event models, in the chain's order."""
    return tuple(apps.get_model(label) for label in settings.AUDIT_EVENT_MODELS)
