"""The filing steps of the demo plan (registry/demo/plan.py runs them in date order).

Filings, their documents (small generated PDFs), supplement requests, acceptance with a filing
number, nonconformity, change filings and deregistration — each through its service, as the
operator or the county reviewer of the plan.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from registry import receipts  # noqa: F401  (registers the CJK font used below)
from registry.materials import MATERIALS_BY_KIND, required_kinds
from registry.services import changes
from registry.services import filings as svc
from registry.services.filing_documents import add_document

if TYPE_CHECKING:
    from registry.demo.plan import Actors, PlannedInstitution, Progress


class ClassRow(TypedDict):
    """One class of the 备案书, as the filing services take it."""

    class_type: str
    children: int
    carers: int


# Children per carer by class type (托育机构设置标准: 乳儿班1:3, 托小班1:5, 托大班1:7).
CHILDREN_PER_CARER = {"infant": 3, "young_toddler": 5, "older_toddler": 7, "mixed": 5}

SUPPLEMENT_ITEMS = [
    {"item": "fire_safety", "note": "消防安全检查合格证明已过有效期，请上传新证明。"},
    {"item": "site_proof", "note": "租赁合同未载明房屋用途，请补充产权人同意用于托育的证明。"},
]
NONCONFORMING_REASONS = [
    "婴幼儿室外活动场地人均面积低于3平方米。",
    "保育人员与婴幼儿比例不符合托大班1:7的要求。",
]
CHANGE_SUPPLEMENT_NOTE = "请补充新班级的保育人员名单及健康合格证明。"


@cache
def demo_pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont(receipts.FONT, 16)
    canvas.drawString(72, 760, f"演示材料：{title}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _carers(class_type: str, children: int) -> int:
    per = CHILDREN_PER_CARER[class_type]
    return -(-children // per)


def filing_data(planned: PlannedInstitution) -> dict[str, Any]:
    """The 备案书 of a planned institution, within the national setting standards."""
    classes: list[ClassRow] = [
        {"class_type": kind, "children": children, "carers": _carers(kind, children)}
        for kind, children in planned.classes
    ]
    places = planned.places
    caregivers = sum(row["carers"] for row in classes)
    return {
        "person_in_charge_name": planned.person_in_charge[0],
        "person_in_charge_id_number": planned.person_in_charge[1],
        "care_modes": planned.care_modes,
        "places": places,
        "classes": classes,
        "staff": {
            "caregivers": caregivers,
            "health_workers": 1,
            "security_guards": 1,
            "cooks": 1,
            "managers": 2,
        },
        "building_area_m2": Decimal(places * 9 + 120),
        "indoor_area_m2": Decimal(places * 4),
        "outdoor_area_m2": Decimal(places * 3),
        "children_floor": 1,
        "site_tenure": "leased",
        "lease_end": timezone.localdate() + timedelta(days=365 * 5),
        "meals": "on_site",
        "inclusive": planned.inclusive,
        "monthly_fee": Decimal(planned.monthly_fee),
        "commitment_accepted": True,
    }


def _change_proposal(planned: PlannedInstitution) -> dict[str, Any]:
    """A plausible change: one more 托大班 (places and classes together) or a lower fee."""
    if planned.index % 2:
        classes: list[ClassRow] = [
            {"class_type": kind, "children": children, "carers": _carers(kind, children)}
            for kind, children in [*planned.classes, ("older_toddler", 15)]
        ]
        return {"places": planned.places + 15, "classes": classes}
    return {"monthly_fee": str(planned.monthly_fee - 200), "inclusive": True}


def run_action(progress: Progress, action: str, actors: Actors) -> None:
    planned = progress.planned
    operator = actors.get(planned.operator, planned.county)
    reviewer = actors.get(planned.reviewer, planned.county)
    filing = progress.filing
    if action == "file_draft":
        assert progress.registration is not None
        filing = svc.create_filing(
            actor=operator, registration=progress.registration, data=filing_data(planned)
        )
        for kind in required_kinds(filing.meals):
            label = str(MATERIALS_BY_KIND[kind].label)
            add_document(
                filing,
                actor=operator,
                kind=kind,
                upload=SimpleUploadedFile(f"{label}.pdf", demo_pdf(label), "application/pdf"),
            )
        progress.filing = filing
    elif action == "file_submit":
        progress.filing = svc.submit_filing(filing, actor=operator)
    elif action == "supplement":
        progress.filing = svc.request_supplement(
            filing, actor=reviewer, items=SUPPLEMENT_ITEMS, note="请一次性补正以下材料。"
        )
    elif action == "accept":
        progress.filing = svc.accept_filing(filing, actor=reviewer)
    elif action == "nonconforming":
        progress.filing = svc.mark_nonconforming(
            filing, actor=reviewer, reasons=NONCONFORMING_REASONS
        )
    elif action == "deregister":
        progress.filing = changes.deregister_filing(
            filing,
            actor=operator,
            reason="场地租赁到期不再续租，在托婴幼儿已转入附近托育机构。",
            placement_confirmed=True,
            # Where the children went: the county's first filed demo institution took them all.
            placements=[
                {
                    "receiving_institution": planned.receiving_institution,
                    "children": sum(children for _kind, children in planned.classes),
                }
            ],
        )
    elif action == "change_create":
        progress.change = changes.create_change(
            filing,
            actor=operator,
            proposed=_change_proposal(planned),
            reason="扩大收托规模" if planned.index % 2 else "参与普惠托育，下调收费标准",
        )
    elif action == "change_submit":
        progress.change = changes.submit_change(progress.change, actor=operator)
    elif action == "change_supplement":
        progress.change = changes.request_change_supplement(
            progress.change, actor=reviewer, note=CHANGE_SUPPLEMENT_NOTE
        )
    elif action == "change_accept":
        progress.change = changes.accept_change(
            progress.change, actor=reviewer, note="经现场核查，变更事项属实。"
        )
    else:
        raise ValueError(f"unknown demo action {action}")
