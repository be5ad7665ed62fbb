"""Outbox in the admin: every delivery attempt, dead-letter filter, and a resend action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tuoyu_portal.admin_bases import ReadOnlyInline, ScopedAdmin, admin_user
from tuoyu_portal.exceptions import DomainError

from . import services
from .models import DeliveryAttempt, OutboxEvent, OutboxResend


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "duration_ms", "backend", "ok", "http_status", "error")
    readonly_fields = fields


class ResendInline(ReadOnlyInline):
    model = OutboxResend
    fields = ("created_at", "actor", "from_state")
    readonly_fields = fields


class DeadLetterFilter(admin.SimpleListFilter):
    title = _("死信")
    parameter_name = "dead_letter"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("仅死信"))), ("retrying", str(_("重试中（已失败过）")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(state=OutboxEvent.State.DEAD)
        if self.value() == "retrying":
            return queryset.filter(state=OutboxEvent.State.PENDING, attempts__gt=0)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ScopedAdmin):
    """The system's deliveries: support data, read and resent by superusers."""

    list_display = [
        "id",
        "event_type",
        "region",
        "aggregate_id",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = [DeadLetterFilter, "state", "event_type"]
    search_fields = ["=aggregate_id", "=idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline, ResendInline]
    actions = ["resend"]
    readonly_fields = (
        "event_type",
        "idempotency_key",
        "region",
        "aggregate_id",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("最近错误"))
    def short_error(self, obj: OutboxEvent) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("重新发送"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        done = 0
        for event in queryset:
            try:
                services.resend_event(event, actor=admin_user(request))
                done += 1
            except DomainError:
                self.message_user(
                    request,
                    _("事件 #%(id)s 状态为“%(state)s”，不能重新发送。")
                    % {"id": event.pk, "state": event.get_state_display()},
                    messages.WARNING,
                )
        if done:
            self.message_user(
                request,
                ngettext("已重新排队 %(n)d 个事件。", "已重新排队 %(n)d 个事件。", done)
                % {"n": done},
                messages.SUCCESS,
            )
