"""A year of registrations and filings in the demo counties (api.md "Demo data"). Idempotent.

`fixtures/demo/counties.yaml` describes each county and how many institutions end in each state;
`build_plan()` expands it, with a fixed random seed, into institutions and their dated steps.
`seed()` replays every step in date order through the real services, on a clock set to that
step's date (time_machine), so each row has the history, clocks, filing numbers and outbox events
a real one would have. Approvals and cancellations are delivered at once through the same
delivery code the Celery task runs (`exchange.services.deliver_event`): seeding needs no worker,
and the county health inbox has its row before the operator files.

Idempotent: an institution of the plan whose name already exists in its county is skipped whole.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth.hashers import make_password
from stdnum.cn import ric, uscc

from registry.models import Registration, RegistrationStatus
from registry.services import registrations as services
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exchange import services as delivery
from tuoyu_portal.exchange.models import OutboxEvent
from tuoyu_portal.regions.models import RegionRule
from tuoyu_portal.regions.rules import authority_for

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
BEIJING = ZoneInfo("Asia/Shanghai")

CARE_MODE_WORDS = {"full_day": "全日制", "half_day": "半日制", "hourly": "计时制"}
NATURE_SUFFIX = {
    "for_profit": "托育有限公司",
    "nonprofit": "托育服务中心",
    "public_institution": "公办托育园",
}
CREDIT_PREFIX = {"for_profit": "91", "nonprofit": "52", "public_institution": "12"}

RETURN_REASON = "请补充住所的详细门牌号，并核对法定代表人联系电话。"
REJECT_REASON = "经核查，申请人提交的住所为住宅，不符合托育机构登记要求。"
CANCEL_REASON = "举办者申请注销登记，债权债务已清理完毕。"


def demo_credit_code(prefix: str, region: str, serial: int) -> str:
    """A valid 统一社会信用代码 (check character computed, GB 32100)."""
    body = f"{prefix}{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def demo_id_number(region: str, born: str, serial: int) -> str:
    body = f"{region}{born}{serial:03d}"
    # stdnum's calc_check_digit takes a full 18-character number and ignores its last one.
    return body + ric.calc_check_digit(body + "0")


@cache
def description() -> dict[str, Any]:
    with (FIXTURES / "counties.yaml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


# --- the plan ------------------------------------------------------------------------------------

# Each scenario: the steps (action, days after the previous step) that lead to its final state.
# registry/demo/plan.py runs the registry actions; inspections and subsidies demos read the plan too.
_REGISTER = [("create", 0), ("submit", 1), ("approve", 4)]
_FILE = [*_REGISTER, ("file_draft", 6), ("file_submit", 4), ("accept", 4)]
SCENARIOS: dict[str, list[tuple[str, int]]] = {
    "registration_draft": [("create", 0)],
    "registration_submitted": [("create", 0), ("submit", 1)],
    "registration_returned": [("create", 0), ("submit", 1), ("return", 3)],
    "registration_rejected": [("create", 0), ("submit", 1), ("reject", 4)],
    "approved_not_filed": _REGISTER,
    "filing_draft": [*_REGISTER, ("file_draft", 6)],
    "filing_submitted": [*_REGISTER, ("file_draft", 6), ("file_submit", 4)],
    "filing_supplement_requested": [
        *_REGISTER,
        ("file_draft", 6),
        ("file_submit", 4),
        ("supplement", 3),
    ],
    "filed": _FILE,
    "change_submitted": [*_FILE, ("change_create", 60), ("change_submit", 1)],
    "change_supplement_requested": [
        *_FILE,
        ("change_create", 60),
        ("change_submit", 1),
        ("change_supplement", 3),
    ],
    "change_accepted": [*_FILE, ("change_create", 60), ("change_submit", 1), ("change_accept", 5)],
    # The 15-working-day conformity notice is given in time (the dashboard counts it).
    "nonconforming": [*_FILE, ("nonconforming", 6)],
    "deregistered": [*_FILE, ("deregister", 90)],
    "registration_cancelled": [*_FILE, ("cancel", 120)],
    "suspended": _FILE,
}

# Scenarios still waiting for someone start recently (a queue of the last weeks); the rest start
# anywhere in the past year, early enough for their last step to be in the past.
WAITING = {
    "registration_submitted": 12,
    "filing_submitted": 10,
    "filing_supplement_requested": 20,
    "change_submitted": 8,
    "change_supplement_requested": 12,
    "registration_returned": 20,
    "registration_draft": 15,
    "filing_draft": 25,
}


@dataclass
class Step:
    action: str
    at: datetime  # Beijing time


@dataclass
class PlannedInstitution:
    county: str
    index: int  # 1-based within the county
    scenario: str
    name: str
    legal_nature: str
    care_modes: list[str]
    operator: str
    registrar: str
    reviewer: str
    data: dict[str, Any]
    credit_code: str
    person_in_charge: tuple[str, str]
    classes: list[tuple[str, int]]  # (class type, children); carers follow the ratio
    monthly_fee: int
    inclusive: bool
    steps: list[Step] = field(default_factory=list)
    quiet: bool = False  # named in fixtures for the journeys: no demo visits or claims
    # Where its children go when it deregisters: the county's first filed demo institution.
    receiving_institution: str = ""

    @property
    def places(self) -> int:
        return sum(children for _type, children in self.classes)

    def reached(self, action: str) -> bool:
        return any(step.action == action for step in self.steps)

    def step_date(self, action: str) -> date:
        return next(s.at.date() for s in self.steps if s.action == action)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _steps(rng: random.Random, scenario: str, today: date) -> list[Step]:
    recipe = SCENARIOS[scenario]
    offsets: list[int] = []
    day = 0
    for index, (_action, gap) in enumerate(recipe):
        day += gap + (rng.randint(0, max(1, gap // 2)) if index else 0)
        offsets.append(day)
    span = offsets[-1]
    latest = WAITING.get(scenario)
    # The last step falls 1..`latest` days ago for waiting cases, up to a year ago otherwise.
    end_ago = rng.randint(1, latest) if latest else rng.randint(2, max(3, 350 - span))
    start = today - timedelta(days=end_ago + span)
    steps = []
    for (action, _gap), offset in zip(recipe, offsets, strict=True):
        minute = rng.randint(9 * 60, 17 * 60)
        at = datetime.combine(start + timedelta(days=offset), time(minute // 60, minute % 60))
        steps.append(Step(action, at.replace(tzinfo=BEIJING)))
    return steps


def build_plan(today: date) -> list[PlannedInstitution]:
    """Every demo institution with its steps; the same description and day give the same plan."""
    spec = description()
    # A fixed seed for repeatable demo data, not for anything secret.
    rng = random.Random(spec["seed"])  # nosec B311
    planned: list[PlannedInstitution] = []
    for county in spec["counties"]:
        code = county["code"]
        scenarios = [name for name, count in county["plan"].items() for _n in range(count)]
        brands = rng.sample(spec["brands"], len(scenarios))
        # The demo operator's own institutions should show the interesting states first.
        rng.shuffle(scenarios)
        # Each named institution takes the first slot of its state.
        named = {}
        for entry in county.get("named", []):
            slot = next(
                i
                for i, s in enumerate(scenarios, start=1)
                if s == entry["state"] and i not in named
            )
            named[slot] = entry
        for index, (scenario, brand) in enumerate(zip(scenarios, brands, strict=True), start=1):
            nature = _weighted(rng, county["natures"])
            modes = rng.choice(
                [["full_day"], ["full_day"], ["full_day", "hourly"], ["half_day"], ["hourly"]]
            )
            town = rng.choice(county["towns"])
            name = f"{county['prefix']}{brand}{CARE_MODE_WORDS[modes[0]]}{NATURE_SUFFIX[nature]}"
            entry = named.get(index)
            if entry is not None:
                name, nature, modes = entry["name"], entry["nature"], list(entry["modes"])
            rep = rng.choice(spec["surnames"]) + rng.choice(spec["given_names"])
            born = f"{rng.randint(1972, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            serial = index + (0 if code == "371103" else 500)
            operator = (
                county["operator"]
                if index <= county["operator_owns"] or entry is not None
                else f"demo-op-{code}-{index:02d}"
            )
            young = rng.randint(2, 3)
            classes = [("young_toddler", rng.randint(10, 15)) for _n in range(young)]
            classes += [("older_toddler", rng.randint(14, 20)) for _n in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                classes.insert(0, ("infant", rng.randint(6, 10)))
            planned.append(
                PlannedInstitution(
                    county=code,
                    index=index,
                    scenario=scenario,
                    name=name,
                    legal_nature=nature,
                    care_modes=modes,
                    operator=operator,
                    registrar=county["registrars"][nature],
                    reviewer=county["reviewer"],
                    data={
                        "name": name,
                        "legal_nature": nature,
                        "care_modes": modes,
                        "business_scope": "托育服务；3岁以下婴幼儿照护服务",
                        "region": code,
                        "address": f"{county['place']}{town}{rng.choice(county['roads'])}"
                        f"{rng.randint(1, 399)}号",
                        "legal_representative_name": rep,
                        "legal_representative_id_number": demo_id_number(code, born, serial),
                        "contact_phone": f"{county['phone_prefix']}{serial:04d}",
                    },
                    credit_code=demo_credit_code(CREDIT_PREFIX[nature], code, 1000 + serial),
                    person_in_charge=(
                        rng.choice(spec["surnames"]) + rng.choice(spec["given_names"]) + "园长",
                        demo_id_number(code, born, serial + 100),
                    ),
                    classes=classes,
                    monthly_fee=rng.choice([1200, 1400, 1500, 1600, 1800, 2200]),
                    inclusive=entry.get("inclusive", True)
                    if entry is not None
                    else nature != "for_profit" or rng.random() < 0.6,
                    steps=_steps(rng, scenario, today),
                    quiet=entry is not None,
                )
            )
    for each in planned:
        each.receiving_institution = next(
            (p.name for p in planned if p.county == each.county and p.scenario == "filed"),
            each.name,
        )
    return planned


# --- the clock -----------------------------------------------------------------------------------


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (their own clocks read timezone.now/localdate)."""
    try:
        import time_machine
    except ImportError as exc:  # a dev dependency: the demo is never seeded in production
        raise RuntimeError("seed_demo needs time-machine (pip install -e '.[dev]')") from exc
    with time_machine.travel(moment, tick=False):
        yield


# --- running the plan ----------------------------------------------------------------------------


@dataclass
class Actors:
    users: dict[str, User] = field(default_factory=dict)

    def get(self, username: str, county: str) -> User:
        if username not in self.users:
            user = User.objects.filter(username=username).first()
            if user is None:  # one generated operator per institution; no password, no sign-in
                user = User.objects.create(
                    username=username,
                    role=Role.OPERATOR,
                    region_id=county,
                    last_name="演示",
                    first_name="举办者",
                    password=make_password(None),
                )
            self.users[username] = user
        return self.users[username]


@dataclass
class Progress:
    """What one institution's steps have produced so far."""

    planned: PlannedInstitution
    registration: Registration | None = None
    filing: Any = None
    change: Any = None


def deliver_pending(aggregate_id: int) -> None:
    """Deliver the registration's queued pushes now, by the Celery task's own delivery code."""
    for event_id in OutboxEvent.objects.filter(
        aggregate_id=aggregate_id, state=OutboxEvent.State.PENDING
    ).values_list("pk", flat=True):
        delivery.deliver_event(event_id)


def _register(progress: Progress, action: str, actors: Actors) -> None:
    planned = progress.planned
    operator = actors.get(planned.operator, planned.county)
    registrar = actors.get(planned.registrar, planned.county)
    reg = progress.registration
    if action == "create":
        progress.registration = services.create_registration(actor=operator, data=planned.data)
        return
    assert reg is not None
    if action == "submit":
        progress.registration = services.submit_registration(reg, actor=operator)
    elif action == "return":
        progress.registration = services.return_registration(
            reg, actor=registrar, reason=RETURN_REASON
        )
    elif action == "reject":
        progress.registration = services.reject_registration(
            reg, actor=registrar, reason=REJECT_REASON
        )
    elif action == "approve":
        progress.registration = services.approve_registration(
            reg, actor=registrar, credit_code=planned.credit_code
        )
        deliver_pending(reg.pk)
    elif action == "cancel":
        progress.registration = services.cancel_registration(
            reg, actor=registrar, reason=CANCEL_REASON
        )
        deliver_pending(reg.pk)


REGISTRATION_ACTIONS = {"create", "submit", "return", "reject", "approve", "cancel"}


def _run_step(progress: Progress, step: Step, actors: Actors) -> None:
    from registry.demo import filings as demo_filings

    if step.action in REGISTRATION_ACTIONS:
        _register(progress, step.action, actors)
    else:
        demo_filings.run_action(progress, step.action, actors)


def push_unpushed_approvals(counties: list[str]) -> int:
    """Approved registrations of the demo counties that never reached the outbox (the earlier
    demo wrote two around the service) get their push now, by the service's own function, and
    are delivered like the others. → how many."""
    from django.db import transaction

    pushed = OutboxEvent.objects.filter(event_type="registration.approved").values("aggregate_id")
    missing = Registration.objects.filter(
        region_id__in=counties, status=RegistrationStatus.APPROVED
    ).exclude(pk__in=pushed)
    count = 0
    for reg in missing:
        with transaction.atomic():
            services.push_registration_event(reg, "approved")
        deliver_pending(reg.pk)
        count += 1
    return count


def seed(stdout: TextIO) -> None:
    today = datetime.now(BEIJING).date()
    plan = build_plan(today)
    existing = set(Registration.objects.values_list("region_id", "name"))
    todo = [Progress(p) for p in plan if (p.county, p.name) not in existing]
    if any(User.objects.filter(username=u).first() is None for u in _needed_staff(plan)):
        stdout.write("demo registrations: skipped (demo users missing)")
        return
    configure_demo_routing()
    actors = Actors()
    events = sorted(
        (
            (step.at, progress.planned.county, progress.planned.index, n, progress, step)
            for progress in todo
            for n, step in enumerate(progress.planned.steps)
        ),
        key=lambda e: e[:4],
    )
    for moment, _county, _index, _n, progress, step in events:
        with at(moment):
            _run_step(progress, step, actors)
    repaired = push_unpushed_approvals([c["code"] for c in description()["counties"]])
    stdout.write(
        f"demo institutions: {len(todo)} created, {len(plan) - len(todo)} already there"
        + (f"; {repaired} earlier approvals pushed" if repaired else "")
    )


# The demo's offices (api.md "Demo data": the 371103 registrars stand for 岚山's offices as
# configured in the demo) decide from this day on; the cited rules stay in force before it.
DEMO_ROUTING_FROM = date(2025, 1, 1)
RULE_BY_NATURE = {
    "public_institution": "public_institution_authority",
    "nonprofit": "nonprofit_authority",
    "for_profit": "for_profit_authority",
}


def configure_demo_routing() -> int:
    """Route each county's registrations to the demo registrar named in counties.yaml where the
    cited rule names another office (岚山's notice: 行政审批); an explicit, labelled county rule
    row, shown on the rules page like any other, never a change of the cited fixture. → rows."""
    written = 0
    for county in description()["counties"]:
        for nature, username in county["registrars"].items():
            authority = User.objects.filter(username=username).values_list("authority", flat=True)
            wanted = authority.first()
            if not wanted or authority_for(nature, county["code"], DEMO_ROUTING_FROM) == wanted:
                continue
            RegionRule.objects.update_or_create(
                region_id=county["code"],
                key=RULE_BY_NATURE[nature],
                effective_from=DEMO_ROUTING_FROM,
                defaults={
                    "value": wanted,
                    "basis": "演示配置：演示账号代表本地登记机关（接口文档“演示数据”）",
                    "quote": "实际登记机关以本地通知为准（岚山：行政审批部门按职权负责托育机构法人注册登记）",
                },
            )
            written += 1
    return written


def _needed_staff(plan: list[PlannedInstitution]) -> set[str]:
    return {p.registrar for p in plan} | {p.reviewer for p in plan}
