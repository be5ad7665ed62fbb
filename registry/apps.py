from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("登记与备案")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tuoyu_portal.publiccache import bump_version

        from .models import Filing, Institution

        # The public register's cached answers (tuoyu_portal/publiccache.py) go stale on any
        # change to what it shows; bulk .update() calls bump it themselves.
        for model in (Filing, Institution):
            post_save.connect(bump_version, sender=model, dispatch_uid=f"public-cache-{model}")
            post_delete.connect(bump_version, sender=model, dispatch_uid=f"public-cache-d-{model}")
        # the open data files are rebuilt after a change commits (one queued rebuild).
        from .opendata import schedule_rebuild

        for model in (Filing, Institution):
            post_save.connect(schedule_rebuild, sender=model, dispatch_uid=f"opendata-{model}")
