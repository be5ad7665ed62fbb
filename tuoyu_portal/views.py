"""Platform views: the home page per role, health check, token sign-in."""

from __future__ import annotations

import uuid
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .accounts import throttle, tokens
from .accounts.models import ApiToken, Role
from .accounts.two_factor import needs_two_factor, verify_code
from .authentication import TokenAuthentication
from .exceptions import AccountLocked, DomainError, RuleViolation
from .http import AuthenticatedRequest
from .notifications.services.waiting import pending_actions


def home(request: HttpRequest) -> HttpResponse:
    """Say what this person can do next, by role (anonymous visitors get the public entry
    points); staff also see what waits for them (pending queues, unread notifications)."""
    role = getattr(request.user, "role", None) if request.user.is_authenticated else None
    waiting = (
        pending_actions(request.user)
        if request.user.is_authenticated and role != Role.OPERATOR
        else []
    )
    return render(
        request,
        "portal/home.html",
        {"role": role, "actions": home_actions(role), "waiting": waiting},
    )


def home_actions(role: str | None) -> list[dict[str, Any]]:
    from django.urls import NoReverseMatch, reverse

    table: dict[str | None, list[tuple[str, Any, Any]]] = {
        None: [
            (
                "public-search",
                _("查找已备案托育机构"),
                _("按地区、托育方式、普惠和名称查询，查看备案与检查结果。"),
            ),
            ("login", _("工作人员与举办者登录"), _("举办者在线登记、备案；各部门在线审核、监管。")),
            ("public-complaint-new", _("投诉举报"), _("可匿名投诉，凭查询码查看办理进度和结果。")),
        ],
        Role.OPERATOR: [
            (
                "operator-home",
                _("我的机构"),
                _("填写登记申请，查看审核进度，办理备案、变更和注销。"),
            ),
            (
                "operator-findings",
                _("检查发现的问题与整改"),
                _("查看检查发现的问题和整改期限，提交整改材料，回复处罚决定。"),
            ),
            (
                "subsidy-claims",
                _("补贴申请"),
                _("普惠托育机构申请开办、托位、保育费补助和示范奖励。"),
            ),
        ],
        Role.REGISTRAR: [
            (
                "registrar-queue",
                _("登记审核队列"),
                _("按提交时间先后审核登记申请：通过、退回或不予登记。"),
            ),
            (
                "registrar-import",
                _("批量导入已登记机构"),
                _("上传 CSV 或 XLSX，逐行校验并推送至卫生健康部门。"),
            ),
        ],
        Role.HEALTH_REVIEWER: [
            ("health-inbox", _("登记推送收件箱"), _("查看本县已登记机构、是否已备案及逾期情况。")),
            (
                "reviewer-queue",
                _("备案审核队列"),
                _("5个工作日内出具回执，15个工作日内作出符合性判断。"),
            ),
            ("filing-changes", _("变更备案"), _("审核机构提交的场地、托位、班级、负责人等变更。")),
            ("complaint-queue", _("投诉举报"), _("分办、调查并答复投诉，必要时转为核查检查。")),
            ("inspection-due", _("待检查机构"), _("按风险评分列出应安排检查的机构及理由。")),
            ("ban-register", _("从业禁止名单"), _("登记终身禁入人员，查看命中预警。")),
        ],
        Role.INSPECTOR: [
            ("admin:index", _("监督检查（管理后台）"), _("记录检查、发现问题和整改期限。")),
            ("inspection-due", _("待检查机构"), _("按风险评分列出应安排检查的机构及理由。")),
        ],
        Role.SUBSIDY_OFFICER: [
            ("subsidy-queue", _("补贴申请审核"), _("审核补贴申请，生成支付批次。")),
            ("subsidy-batches", _("支付批次"), _("将已核准的申请编入批次，导出 XLSX，登记拨付。")),
        ],
        Role.SUPERVISOR: [
            ("health-inbox", _("辖区登记推送"), _("只读查看下级地区的登记与备案情况。"))
        ],
    }
    actions = []
    for name, title, text in table.get(role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a capability not built yet is not offered: no dead ends
        actions.append({"url": url, "title": title, "text": text})
    return actions


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and storage, each checked for real; 503 if any fails."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never raise from a health check
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        import redis

        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    try:
        name = default_storage.save(f"healthz/{uuid.uuid4().hex}", ContentFile(b"ok"))
        default_storage.delete(name)
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["storage"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)  # User.username
    password = serializers.CharField(max_length=1024, trim_whitespace=False)  # any passphrase
    otp = serializers.CharField(max_length=16, required=False, allow_blank=True)


class ObtainTokenView(APIView):
    """POST username and password, receive a new API token (api.md "Conventions", 1.1);
    DELETE revokes the token the request is signed with."""

    authentication_classes = [TokenAuthentication]

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    def perform_authentication(self, request: Request) -> None:
        # Signing in is anonymous: a stale token header must not turn it into a 401.
        if request.method == "DELETE":
            super().perform_authentication(request)

    @extend_schema(responses={204: None}, summary="Revoke the caller's token")
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise DomainError(
                RuleViolation("token_required", _("请使用令牌调用本接口以注销该令牌。"))
            )
        tokens.revoke(request.auth)
        return Response(status=204)

    @extend_schema(
        request=TokenInputSerializer,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except AxesBackendPermissionDenied:
            raise AccountLocked(
                RuleViolation("account_locked", _("连续多次登录失败，账号已暂时锁定，请稍后再试。"))
            ) from None
        if user is None:
            raise DomainError(RuleViolation("invalid_credentials", _("用户名或密码不正确。")))
        if needs_two_factor(user):
            otp = data.validated_data.get("otp") or ""
            if not otp:
                raise DomainError(
                    RuleViolation("otp_required", _("工作人员账号需要动态验证码。"), "otp")
                )
            if verify_code(user, otp) is None:
                raise DomainError(
                    RuleViolation("otp_invalid", _("动态验证码不正确或已使用。"), "otp")
                )
        throttle.record_success(user.get_username())
        _token, key = tokens.issue_token(user, client=str(request.META.get("HTTP_USER_AGENT", "")))
        return Response({"token": key})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "region": serializers.CharField(allow_null=True),
                "authority": serializers.CharField(),
                "department": serializers.CharField(),
            },
        )
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        return Response(
            {
                "username": user.username,
                "role": user.role,
                "region": user.region_id,
                "authority": user.authority,
                "department": user.department,
            }
        )
