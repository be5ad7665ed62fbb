from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app inbox and e-mail notifications, sent by beat tasks that scan the other apps' state."""

    name = "tuoyu_portal.notifications"
    label = "notifications"
    verbose_name = _("消息通知")
