"""Users with a role and a jurisdiction, and operators' membership in institutions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.models import TimeStampedModel


class Role(models.TextChoices):
    OPERATOR = "operator", _("举办者/机构负责人")
    REGISTRAR = "registrar", _("登记机关工作人员")
    HEALTH_REVIEWER = "health_reviewer", _("卫生健康部门审核人员")
    INSPECTOR = "inspector", _("监督检查人员")
    SUBSIDY_OFFICER = "subsidy_officer", _("补贴审核人员")
    SUPERVISOR = "supervisor", _("上级主管部门")


class Authority(models.TextChoices):
    BIANBAN = "bianban", _("机构编制部门（编办）")
    MINZHENG = "minzheng", _("民政部门")
    SCJG = "scjg", _("市场监督管理部门")
    XZSP = "xzsp", _("行政审批局")


class Department(models.TextChoices):
    HEALTH = "health", _("卫生健康")
    FIRE = "fire", _("消防救援")
    MARKET = "market", _("市场监管")
    POLICE = "police", _("公安")
    EDUCATION = "education", _("教育")
    TOWNSHIP = "township", _("乡镇（街道）")


STAFF_ROLES = frozenset(role for role in Role.values if role != Role.OPERATOR)


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.OPERATOR)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属区划"),
    )
    authority = models.CharField(
        _("登记机关"), max_length=10, choices=Authority.choices, blank=True
    )
    department = models.CharField(_("部门"), max_length=12, choices=Department.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            # A registrar always acts for one authority; other roles never carry one.
            models.CheckConstraint(
                condition=Q(role=Role.REGISTRAR, authority__in=Authority.values)
                | ~Q(role=Role.REGISTRAR),
                name="user_registrar_has_authority",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles

    def region_contains(self, code: str | None) -> bool:
        """Whether `code` lies inside this user's jurisdiction (their region or below)."""
        if not code or not self.region_id:
            return False
        from tuoyu_portal.regions.models import code_prefix

        return code.startswith(code_prefix(self.region_id))

    @property
    def region_prefix(self) -> str | None:
        """Prefix of region codes this user may see; None means nothing."""
        if not self.region_id:
            return None
        from tuoyu_portal.regions.models import code_prefix

        return code_prefix(self.region_id)


class ApiToken(models.Model):
    """An API token (api.md 1.1): one per sign-in, expiring, revocable.

    Only a SHA-256 of the key is stored, so a database read does not hand out working tokens;
    the key itself is shown once, in the sign-in answer.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    client = models.CharField(_("客户端"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one account from any address (accounts/throttle.py).

    Counted in PostgreSQL so every web process sees the same count.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locks = models.PositiveIntegerField(default=0)  # consecutive locks: the delay doubles
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


def jurisdiction_q(user: User, region_field: str = "region", institution_field: str = "") -> Q:
    """The Q that limits any institution-linked model to what `user` may see.

    Operators see institutions they belong to; staff see their region and everything below it;
    anyone else sees nothing. `institution_field` is the path to the Institution ("" for itself).
    """
    prefix = f"{institution_field}__" if institution_field else ""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.OPERATOR:
        return Q(**{f"{prefix}memberships__user": user})
    region_prefix = user.region_prefix
    if region_prefix is None:
        return Q(pk__in=[])
    # `region__code` is the FK column itself, so no join to the region table is made.
    return Q(**{f"{prefix}{region_field}__code__startswith": region_prefix})


class Membership(TimeStampedModel):
    """An operator account's place in an institution; owners may add colleagues."""

    institution = models.ForeignKey(
        "registry.Institution", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_owner = models.BooleanField(_("举办者（可添加同事）"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        # The table keeps the name it had while the model lived in registry: no data moved.
        db_table = "registry_membership"
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"
