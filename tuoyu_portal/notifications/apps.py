from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app inbox and e-mail notifications, sent by beat tasks that scan the other apps' state."""

    name = "tuoyu_portal.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from tuoyu_portal.notifications.services.notify import notify_moved_clocks
        from tuoyu_portal.regions.recompute import clocks_moved

        clocks_moved.connect(notify_moved_clocks, dispatch_uid="notifications-moved-clocks")
