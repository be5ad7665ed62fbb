from django.urls import path

from . import views

urlpatterns = [
    path("2fa/", views.verify, name="two-factor-verify"),
    path("2fa/setup/", views.setup, name="two-factor-setup"),
    path("2fa/recovery-codes/", views.recovery_codes, name="two-factor-recovery"),
    path("tokens/", views.api_tokens, name="account-tokens"),
]
