"""Inspection and finding admins (the inspectors' working tool, style.md §11)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import ForeignKey, ManyToManyField, Q, QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from registry.models import Filing
from tuoyu_portal.accounts.models import Department, Role, User
from tuoyu_portal.admin_bases import ReadOnlyInline, ReferenceAdmin
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions import rules

from ..models import (
    ChecklistTemplate,
    EnforcementAction,
    Finding,
    FindingEvidence,
    FindingQuerySet,
    FindingTransition,
    Inspection,
    Rectification,
)
from ..services import findings as finding_services
from ..services import visits
from ..services.common import sniff_evidence
from .base import LargeListAdmin, filing_number_q, institution_name_q, search_terms, staff_user
from .widgets import ChecklistAnswersField, ChecklistAnswersWidget, ObservedClassesField


class RefusedSave(Exception):
    """A service refused an admin save; carries the DomainError to report."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


def _report(request: HttpRequest, modeladmin: admin.ModelAdmin, error: DomainError) -> None:
    for v in error.violations:
        modeladmin.message_user(request, f"{v.message}（{v.code}）", level=messages.ERROR)


class ServiceSavesAdmin(LargeListAdmin):
    """Saves go through the services; a refusal undoes the whole save and is reported."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # The admin wraps the save in one transaction; a refused service call leaves it by
        # exception (so nothing is saved) and the inspector is sent back with the reasons.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RefusedSave as refused:
            _report(request, self, refused.error)
            return redirect(request.get_full_path())


# --------------------------------------------------------------------------- inspection


class InspectionForm(forms.ModelForm):
    departments = forms.MultipleChoiceField(
        label=_("参与部门"),
        choices=Department.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("您所在部门会自动加入。"),
    )
    checklist_answers = ChecklistAnswersField(label=_("检查表填写结果"))
    observed_classes = ObservedClassesField(label=_("现场班级情况"))

    class Meta:
        model = Inspection
        fields = [
            "filing",
            "kind",
            "visited_on",
            "departments",
            "inspectors",
            "checklist_template",
            "checklist_answers",
            "observed_classes",
            "notes",
            "published",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = cast(ChecklistAnswersWidget, self.fields["checklist_answers"].widget)
        if self.instance.pk and self.instance.checklist_template:
            # A logged visit keeps the version it was filled with.
            widget.templates = [self.instance.checklist_template]
        elif "checklist_template" in self.fields:
            chooser = cast(ModelChoiceField, self.fields["checklist_template"])
            widget.templates = list(chooser.queryset or [])
        region = self.instance.region_id if self.instance.pk else None
        widget.grade_thresholds = {
            grade: str(rules.value_for(f"quality_grade_{grade}_min", region))
            for grade in ("a", "b", "c")
        }

    @property
    def checklist_findings(self) -> list[dict[str, str]]:
        """The 不符合 items the inspector asked to record as findings."""
        field = self.fields["checklist_answers"]
        return list(getattr(field, "findings", []))

    def clean_observed_classes(self) -> Any:
        # Same validation as the service, so a bad entry is a form error, not a failed save.
        try:
            return visits.parse_observed_classes(self.cleaned_data.get("observed_classes"))
        except DomainError as error:
            raise forms.ValidationError([str(v.message) for v in error.violations]) from error


class DepartmentFilter(admin.SimpleListFilter):
    title = _("参与部门")
    parameter_name = "department"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Department.choices)

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Inspection]
    ) -> QuerySet[Inspection]:
        if self.value() in Department.values:
            return queryset.filter(departments__contains=[self.value()])
        return queryset


class FindingInlineFormSet(BaseInlineFormSet):
    """New findings are saved by `InspectionAdmin.save_formset` through `record_finding`."""


class FindingInline(admin.StackedInline):
    model = Finding
    formset = FindingInlineFormSet
    extra = 1
    can_delete = False
    fields = [
        "rule",
        "severity",
        "description",
        "deadline",
        "technical_advice",
        "published",
        "status",
        "escalated_at",
    ]
    readonly_fields = ["status", "escalated_at"]
    show_change_link = True

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Blank deadline = the region's rule for the severity (filled by the service).
        formset.form.base_fields["deadline"].required = False
        return formset

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Existing findings change only through the workflow (rectify/verify): read-only here.
        return False


@admin.register(Inspection)
class InspectionAdmin(ServiceSavesAdmin):
    form = InspectionForm
    inlines = [FindingInline]
    # The institution by name, filing number or credit code, as the inspector types it.
    autocomplete_fields = ["filing"]
    list_display = [
        "visited_on",
        "institution",
        "kind",
        "departments",
        "quality_grade",
        "over_capacity",
        "published",
    ]
    # A date filter (today, past 7 days, this month, this year) rather than date_hierarchy,
    # whose year/month links are a DISTINCT over every visible row (seconds at 5 000 000).
    list_filter = [
        "visited_on",
        "kind",
        DepartmentFilter,
        "published",
        "quality_grade",
        "over_capacity",
    ]
    list_select_related = ["institution", "filing"]
    # Declared for the search box; get_search_results does the index-backed lookup.
    search_fields = ["institution__name", "filing__filing_number"]
    search_help_text = _("按机构名称（任意部分）或备案编号（开头部分）搜索。")
    readonly_fields = [
        "institution",
        "region",
        "standards_result",
        "over_capacity",
        "quality_score",
        "quality_grade",
        "follow_up_of",
        "created_by",
    ]
    ordering = ["-visited_on", "-id"]

    @admin.display(description=_("设置标准核查结果"))
    def standards_result(self, obj: Inspection) -> str:
        """What the standards engine said of the classes counted on the day, in words."""
        if not obj.observed_classes:
            return str(_("未记录现场班级情况。"))
        if not obj.standards_check:
            return str(_("✓ 现场班级规模和保育人员配比符合设置标准。"))
        lines = [
            ("⚠ " if item.get("severity") == "warning" else "✗ ") + str(item.get("message", ""))
            for item in obj.standards_check
        ]
        return format_html(
            '<ul class="standards-result">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Inspection], search_term: str
    ) -> tuple[QuerySet[Inspection], bool]:
        for term in search_terms(search_term):
            match = institution_name_q(request, term)
            number = filing_number_q(request, term)
            queryset = queryset.filter(match | number if number is not None else match)
        return queryset, False  # forward foreign keys only: no duplicate rows

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The facility, kind, date and checklist version are fixed once the visit is logged.
            fields += ["filing", "kind", "visited_on", "checklist_template", "departments"]
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            kwargs["fields"] = [
                f for f in InspectionForm.Meta.fields
                if f not in ("filing", "kind", "visited_on", "checklist_template", "departments")
            ]  # fmt: skip
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "filing":
            # Only active filings in the inspector's region (the institution picker).
            kwargs["queryset"] = (
                Filing.objects.visible_to(staff_user(request))
                .filter(status__in=Filing.PUBLIC_STATUSES)
                .select_related("institution")
                .order_by("institution__name")
            )
        elif db_field.name == "checklist_template":
            kwargs["queryset"] = ChecklistTemplate.objects.filter(published=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "inspectors":
            prefix = staff_user(request).region_prefix or "-"
            kwargs["queryset"] = User.objects.filter(
                role=Role.INSPECTOR, region__code__startswith=prefix, is_active=True
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Inspection, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved = visits.update_inspection(
                    obj,
                    actor=staff_user(request),
                    notes=data.get("notes"),
                    observed_classes=data.get("observed_classes"),
                    checklist_answers=data.get("checklist_answers"),
                    published=data.get("published"),
                    # Absent from the form, the visit keeps its inspectors.
                    inspectors=list(data["inspectors"]) if "inspectors" in data else None,
                )
            else:
                saved = visits.record_inspection(
                    data["filing"],
                    actor=staff_user(request),
                    kind=data["kind"],
                    visited_on=data["visited_on"],
                    departments=data.get("departments") or [],
                    notes=data.get("notes", ""),
                    observed_classes=data.get("observed_classes"),
                    checklist_template=data.get("checklist_template"),
                    checklist_answers=data.get("checklist_answers") or {},
                    inspectors=list(data.get("inspectors") or []),
                    published=data.get("published", True),
                )
        except DomainError as error:
            raise RefusedSave(error) from error
        # The admin goes on with this instance (inlines, history, redirect): make it the row
        # the service saved.
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service saved the inspectors with the visit (form.save_m2m would set them again);
        # only the inline findings are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        for item in getattr(form, "checklist_findings", []):
            try:
                finding_services.record_finding(
                    form.instance,
                    actor=staff_user(request),
                    rule=item["rule"],
                    severity=item["severity"],
                    description=item["description"],
                )
            except DomainError as error:
                raise RefusedSave(error) from error

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Finding:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these lists (normally set by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for finding_form in formset.extra_forms:
            if not finding_form.has_changed() or not finding_form.cleaned_data:
                continue
            data = finding_form.cleaned_data
            try:
                created = finding_services.record_finding(
                    form.instance,
                    actor=staff_user(request),
                    rule=data.get("rule", ""),
                    severity=data.get("severity", ""),
                    description=data.get("description", ""),
                    deadline=data.get("deadline"),
                    technical_advice=data.get("technical_advice", False),
                    published=data.get("published", True),
                )
            except DomainError as error:
                raise RefusedSave(error) from error
            formset.new_objects.append(created)
        return None


# --------------------------------------------------------------------------- findings


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("已逾期"))), ("no", str(_("未逾期")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Finding]) -> QuerySet[Finding]:
        today = timezone.localdate()
        findings = cast(FindingQuerySet, queryset)  # the Finding admin's own manager
        if self.value() == "yes":
            return findings.overdue(today)
        if self.value() == "no":
            return queryset.exclude(pk__in=findings.overdue(today).values("pk"))
        return queryset


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = FindingEvidence
        fields = ["file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.instance.content_type = sniff_evidence(upload, "file")
        except DomainError as error:
            raise forms.ValidationError(str(error.violations[0].message)) from error
        return upload


class EvidenceInline(admin.TabularInline):
    model = FindingEvidence
    form = EvidenceForm
    fk_name = "finding"
    extra = 1
    can_delete = False
    fields = ["file", "content_type", "rectification", "uploaded_at"]
    readonly_fields = ["content_type", "rectification", "uploaded_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = (
        "submitted_at",
        "submitted_by",
        "note",
        "accepted",
        "decision_note",
        "decided_at",
    )
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = FindingTransition
    fields = ("created_at", "from_status", "to_status", "event", "actor", "note")
    readonly_fields = fields


@admin.register(Finding)
class FindingAdmin(ServiceSavesAdmin):
    list_display = ["rule", "institution", "severity", "status", "deadline", "is_overdue_now"]
    list_filter = ["severity", "status", OverdueFilter, "technical_advice"]
    list_select_related = ["institution"]
    # Declared for the search box; get_search_results does the index-backed lookup.
    search_fields = ["rule", "institution__name"]
    search_help_text = _("按机构名称（任意部分）或依据条款（开头部分）搜索。")
    inlines = [EvidenceInline, RectificationInline, TransitionInline]
    fields = (
        "inspection",
        "institution",
        "rule",
        "severity",
        "description",
        "deadline",
        "technical_advice",
        "published",
        "status",
        "overdue_flagged_at",
        "escalated_at",
        "verified_at",
    )
    readonly_fields = fields
    actions = ["accept_rectification", "reject_rectification", "schedule_follow_up"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Finding], search_term: str
    ) -> tuple[QuerySet[Finding], bool]:
        for term in search_terms(search_term):
            # Rules are cited from their start ("管理规范 §32"): a prefix (finding_rule_prefix_idx).
            queryset = queryset.filter(institution_name_q(request, term) | Q(rule__startswith=term))
        return queryset, False

    @admin.display(boolean=True, description=_("逾期"))
    def is_overdue_now(self, obj: Finding) -> bool:
        return obj.is_overdue(timezone.localdate())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # findings are added on their inspection

    def save_model(self, request: HttpRequest, obj: Finding, form: Any, change: bool) -> None:
        pass  # every field is read-only; only evidence (inline) is added

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The admin's change message reads these lists (normally set by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        files = [
            evidence_form.cleaned_data["file"]
            for evidence_form in formset.extra_forms
            if evidence_form.has_changed() and evidence_form.cleaned_data.get("file")
        ]
        if not files:
            return
        try:
            added = finding_services.add_evidence(
                form.instance, actor=staff_user(request), files=files
            )
        except DomainError as error:
            raise RefusedSave(error) from error
        formset.new_objects.extend(added)

    def _verify(self, request: HttpRequest, queryset: QuerySet[Finding], accepted: bool) -> None:
        done = 0
        for finding in queryset:
            try:
                finding_services.verify_rectification(
                    finding,
                    actor=staff_user(request),
                    accepted=accepted,
                    note="" if accepted else str(_("整改不到位，请按检查意见重新整改。")),
                )
                done += 1
            except DomainError as error:
                _report(request, self, error)
        if done:
            self.message_user(request, _("已处理%(n)d条。") % {"n": done})

    @admin.action(description=_("核验通过所选整改"), permissions=["change"])
    def accept_rectification(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        self._verify(request, queryset, True)

    @admin.action(description=_("退回所选整改"), permissions=["change"])
    def reject_rectification(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        self._verify(request, queryset, False)

    @admin.action(description=_("为所选问题安排复查"), permissions=["change"])
    def schedule_follow_up(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        today = timezone.localdate()
        for finding in queryset.select_related("inspection__filing"):
            try:
                visits.schedule_follow_up(
                    finding,
                    actor=staff_user(request),
                    visited_on=max(today, finding.deadline + timedelta(days=1)),
                )
            except DomainError as error:
                _report(request, self, error)
        self.message_user(request, _("已安排复查。"))


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReferenceAdmin):
    list_display = ["code", "version", "title", "kind", "published"]
    list_filter = ["kind", "published"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A version already used by visits is frozen: revise by adding a new version.
        if obj is not None and obj.inspections.exists():
            return ["code", "version", "title", "kind", "items", "settings"]
        return []


@admin.register(EnforcementAction)
class EnforcementActionAdmin(LargeListAdmin):
    list_display = [
        "decision_ref",
        "institution",
        "kind",
        "amount",
        "decided_on",
        "correction_status",
    ]
    list_filter = ["kind", "correction_status", "published"]
    list_select_related = ["institution"]
    search_fields = ["decision_ref", "institution__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # decided on the health bureau's pages / API through the service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
