from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("监督检查")

    def ready(self) -> None:
        from registry.services.bans import ban_recorded

        from .services.credit import record_credit_for_ban

        # A ban writes the person's credit record; registry may not import inspections.
        ban_recorded.connect(record_credit_for_ban, dispatch_uid="inspections-ban-credit")
