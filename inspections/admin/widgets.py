"""Form widgets that let an inspector fill in a visit without typing JSON.

The visit keeps its checklist answers and the classes counted on the day as JSON (the shape the
services and the API use); these widgets render them as rows of ordinary inputs and read the
rows back into that shape, so the services see exactly what the API would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import ClassType

from ..models import ChecklistTemplate, InspectionKind, Severity

# The result of a routine item as the inspector chooses it, and what the visit stores.
RESULTS: list[tuple[str, Any]] = [
    ("yes", _("符合")),
    ("no", _("不符合")),
    ("na", _("不适用")),
]
_STORED = {"yes": True, "no": False, "na": None}


def _result_of(answer: dict[str, Any]) -> str:
    if not answer:
        return ""
    ok = answer.get("ok")
    return "yes" if ok is True else "no" if ok is False else "na"


class ChecklistAnswersWidget(forms.Widget):
    """One row per item of each offered checklist version: its text and basis, a result (or a
    score for a quality dimension), a note, and for a 不符合 item the offer to record it as a
    finding. Only the rows of the version chosen in the form are read back."""

    template_name = "admin/inspections/widgets/checklist_answers.html"

    class Media:
        js = ["inspections/admin/visit.js"]
        css = {"all": ["inspections/admin/visit.css"]}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.templates: list[ChecklistTemplate] = []
        self.template_field = "checklist_template"
        self.grade_thresholds: dict[str, str] = {}

    def format_value(self, value: Any) -> Any:
        return value if isinstance(value, dict) else {}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        answers = self.format_value(value)
        sections = []
        for template in self.templates:
            rows = []
            for item in template.items:
                answer = answers.get(item["code"]) or {}
                scored = template.kind == InspectionKind.QUALITY and not item.get("veto")
                rows.append(
                    {
                        "code": item["code"],
                        "text": item.get("text", item["code"]),
                        "basis": item.get("basis", ""),
                        "scored": scored,
                        "veto": bool(item.get("veto")),
                        "points": item.get("points", 0),
                        "result": _result_of(answer) if not scored else "",
                        "score": "" if answer.get("score") is None else answer.get("score"),
                        "note": answer.get("note", ""),
                        "prefix": f"{name}-{template.pk}-{item['code']}",
                    }
                )
            sections.append(
                {
                    "template": template,
                    "quality": template.kind == InspectionKind.QUALITY,
                    "rows": rows,
                    "total_points": (template.settings or {}).get("total_points", ""),
                }
            )
        context["widget"].update(
            {
                "sections": sections,
                "results": RESULTS,
                "severities": Severity.choices,
                "template_field": self.template_field,
                "thresholds": self.grade_thresholds,
            }
        )
        return context

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> dict[str, Any]:
        chosen = str(data.get(self.template_field) or "")
        template = next((t for t in self.templates if str(t.pk) == chosen), None)
        if template is None and len(self.templates) == 1:
            template = self.templates[0]  # a saved visit offers only its own version
        answers: dict[str, Any] = {}
        findings: list[dict[str, str]] = []
        errors: list[str] = []
        if template is None:
            return {"answers": answers, "findings": findings, "errors": errors}
        for item in template.items:
            prefix = f"{name}-{template.pk}-{item['code']}"
            note = str(data.get(f"{prefix}-note", "")).strip()
            scored = template.kind == InspectionKind.QUALITY and not item.get("veto")
            if scored:
                raw = str(data.get(f"{prefix}-score", "")).strip()
                if not raw and not note:
                    continue
                score = _score(raw, item.get("points", 0))
                if score is None and raw:
                    errors.append(
                        str(_("“%(item)s”的得分须为 0 至 %(points)s 之间的数字。"))
                        % {"item": item.get("text", item["code"]), "points": item.get("points", 0)}
                    )
                    continue
                answers[item["code"]] = {"ok": None, "score": score, "note": note}
                continue
            result = str(data.get(f"{prefix}-result", ""))
            if result not in _STORED:
                if note:
                    answers[item["code"]] = {"ok": None, "score": None, "note": note}
                continue
            answers[item["code"]] = {"ok": _STORED[result], "score": None, "note": note}
            if result == "no" and data.get(f"{prefix}-finding"):
                severity = str(data.get(f"{prefix}-severity", Severity.MINOR))
                findings.append(
                    {
                        "code": item["code"],
                        "rule": str(item.get("basis") or item.get("text", item["code"]))[:200],
                        "description": note or str(item.get("text", item["code"])),
                        "severity": severity if severity in Severity.values else Severity.MINOR,
                    }
                )
        return {"answers": answers, "findings": findings, "errors": errors}


def _score(raw: str, points: Any) -> int | float | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > Decimal(str(points or 0)):
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class ChecklistAnswersField(forms.Field):
    """Cleans to the stored answers; the items marked to become findings are kept aside."""

    widget = ChecklistAnswersWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.findings: list[dict[str, str]] = []

    def clean(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            return {}
        if value.get("errors"):
            raise forms.ValidationError(value["errors"])
        self.findings = list(value.get("findings") or [])
        return dict(value.get("answers") or {})

    def has_changed(self, initial: Any, data: Any) -> bool:
        answers = data.get("answers") if isinstance(data, dict) else None
        return (initial or {}) != (answers or {})


class ObservedClassesWidget(forms.Widget):
    """The classes counted on the day as rows (class type, children, carers), with blank rows to
    add more; an empty row is ignored."""

    template_name = "admin/inspections/widgets/observed_classes.html"
    blank_rows = 3

    def format_value(self, value: Any) -> Any:
        return value if isinstance(value, list) else []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = [r for r in self.format_value(value) if isinstance(r, dict)]
        rows += [{} for _ in range(self.blank_rows)]
        context["widget"].update(
            {
                "rows": [
                    {
                        "index": i,
                        **{k: row.get(k, "") for k in ("class_type", "children", "carers")},
                    }
                    for i, row in enumerate(rows)
                ],
                "class_types": ClassType.choices,
            }
        )
        return context

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        count = _int(data.get(f"{name}-count")) or 0
        rows: list[dict[str, Any]] = []
        for index in range(min(count, 100)):
            raw = {
                k: str(data.get(f"{name}-{index}-{k}", "")).strip()
                for k in ("class_type", "children", "carers")
            }
            if not any(raw.values()):
                continue
            rows.append(
                {
                    "class_type": raw["class_type"],
                    # Not a number stays as typed, so the service names the row that is wrong.
                    "children": _int(raw["children"], raw["children"]),
                    "carers": _int(raw["carers"], raw["carers"]),
                }
            )
        return rows


def _int(raw: Any, default: Any = None) -> Any:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return default


class ObservedClassesField(forms.Field):
    widget = ObservedClassesWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[dict[str, Any]]:
        return value if isinstance(value, list) else []
