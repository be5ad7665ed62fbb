from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tuoyu_portal.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_save

        from . import throttle, tokens
        from .models import User

        post_save.connect(
            tokens.revoke_on_password_change, sender=User, dispatch_uid="revoke-tokens-on-password"
        )
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="account-throttle-fail")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="account-throttle-ok")
