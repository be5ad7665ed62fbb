"""The authorization matrix: who may call which route, as compact rules.

Every route of the URLconf (API, pages, and the admin changelists of registry / inspections /
subsidies) must match a rule here; a route without a rule fails the matrix test by name.

A rule is (route regex, methods, expectation). Routes are matched on "api:<url name>",
"page:<url name>" or "admin:<url name>". An expectation maps each actor of the cast to an outcome:

- ``OK``    — allowed: not 401/403/404 and not 5xx (a 400/409 from a minimal body is fine);
- ``DENY``  — refused: 401/403/404/405, a redirect to a sign-in page, or a 400 (the request
  was refused before the role check and changed nothing);
- ``HIDE``  — out of jurisdiction: exactly 404 (api.md: never 403 with details);
- ``ANY``   — no claim beyond "never a 5xx".

Objects in URLs belong to county A (371103, the `operator`'s institution). The actors
`other_operator`, `other_registrar` and `other_county_reviewer` (county B) and `outsider`
(an operator of nothing) are out of jurisdiction for every one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANON, OP, OOP, REG, OREG, REV, OREV, INS, FIN, SUP, OUT = (
    "anonymous",
    "operator",
    "other_operator",
    "registrar",
    "other_registrar",
    "county_reviewer",
    "other_county_reviewer",
    "inspector",
    "finance_officer",
    "supervisor",
    "outsider",
)
CAST = (ANON, OP, OOP, REG, OREG, REV, OREV, INS, FIN, SUP, OUT)
STAFF_A = (REG, REV, INS, FIN)
FOREIGN = (OOP, OREG, OREV, OUT)  # out of jurisdiction for county A objects
SIGNED_IN = tuple(r for r in CAST if r != ANON)

OK, DENY, HIDE, ANY = "ok", "deny", "hide", "any"


# Same role, other jurisdiction: these must get exactly 404 where the role itself may act.
COUNTERPARTS: dict[str, tuple[str, ...]] = {OP: (OOP, OUT), REG: (OREG,), REV: (OREV,)}


def expect(
    ok: tuple[str, ...] = (),
    any_: tuple[str, ...] = (),
    hide: tuple[str, ...] | None = None,
    default: str = DENY,
) -> dict[str, str]:
    """Listed roles OK (or ANY); everyone else DENY (401/403/404). The same-role actors of
    another jurisdiction (`COUNTERPARTS` of the OK roles) must get exactly 404 (HIDE): a role
    gate that refuses a foreign role with 403 for any id reveals nothing, but an operator,
    registrar or reviewer of elsewhere must not even learn that the object exists."""
    if hide is None:
        hide = tuple(c for role in ok for c in COUNTERPARTS.get(role, ()) if c not in ok)
    outcome = {role: default for role in CAST}
    for role in hide:
        outcome[role] = HIDE
    for role in any_:
        outcome[role] = ANY
    for role in ok:
        outcome[role] = OK
    return outcome


EVERYONE = expect(ok=CAST, hide=())
NO_CLAIM = expect(any_=CAST, hide=())  # sign-in machinery, language switch: only "no 5xx"
SIGNED_IN_LIST = expect(any_=SIGNED_IN, hide=())  # scoped lists: leaks are checked separately
ABSENT = expect(hide=(), default=DENY)  # objects that do not exist: everyone refused


@dataclass(frozen=True)
class Rule:
    pattern: str
    methods: tuple[str, ...]
    outcome: dict[str, str]

    def matches(self, key: str) -> bool:
        return re.search(self.pattern, key) is not None


R = Rule
READ = ("GET",)
WRITE = ("POST",)

RULES: tuple[Rule, ...] = (
    # --- platform -------------------------------------------------------------------------
    R(
        r"^(?:api|page):(home|healthz|login|logout|set_language|two-factor-\w+|api-token|api-schema|api-docs)$",
        ("GET", "POST"),
        NO_CLAIM,
    ),
    R(r"^(?:api|page):api-me$", READ, expect(ok=SIGNED_IN, hide=())),
    # Revoking one's token (api.md 1.1); the page of one's own tokens.
    R(r"^api:api-token$", ("DELETE",), NO_CLAIM),
    R(r"^page:account-tokens$", READ, expect(ok=SIGNED_IN, hide=())),
    R(r"^page:account-tokens$", WRITE, expect(any_=SIGNED_IN, hide=())),
    R(
        r"^(?:api|page):exchange-events$", WRITE, expect(any_=(), hide=())
    ),  # HMAC-signed receiver only
    # --- public register: anyone ------------------------------------------------------------
    R(
        r"^(?:api|page):(public-facilities-api|public-filing-api|api-public-complaint-status|public-search|"
        r"public-facility|verify|public-complaint-track|api-rules|public-rules)$",
        READ,
        EVERYONE,
    ),
    R(
        r"^(?:api|page):(api-public-complaint-create|public-complaint-new)$",
        ("GET", "POST"),
        NO_CLAIM,
    ),
    # --- parents: open data, watches, attendance links ---------------------------
    R(r"^api:(public-datasets|public-dataset-file)$", READ, EVERYONE),
    R(r"^page:public-watch-new$", READ, EVERYONE),
    R(r"^api:api-public-watch-create$", WRITE, NO_CLAIM),
    # Signed tokens and one-time codes: the matrix's made-up values open nothing for anyone.
    R(r"^page:(public-watch-confirm|public-watch-unsubscribe|public-attendance)$", READ, ABSENT),
    R(r"^page:filing-vacancies$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(r"^page:subsidy-office-watch$", READ, expect(ok=(FIN,), hide=())),
    # --- registrations ---------------------------------------------------------------------
    R(r"^api:registration-list$", ("GET", "POST"), SIGNED_IN_LIST),
    R(r"^api:registration-detail$", READ, expect(ok=(OP, REG), any_=(REV, INS, FIN, SUP))),
    R(r"^api:registration-detail$", ("PATCH", "PUT"), expect(ok=(OP,))),
    R(r"^api:registration-submit$", WRITE, expect(ok=(OP,))),
    R(r"^api:registration-(approve|return-|reject|cancel)$", WRITE, expect(ok=(REG,))),
    R(r"^api:institution-list$", READ, SIGNED_IN_LIST),
    R(r"^api:institution-(detail|members)$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(r"^api:institution-members$", WRITE, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(r"^api:registration-import-list$", ("GET", "POST"), SIGNED_IN_LIST),
    R(r"^api:registration-import-(detail|report)$", READ, ABSENT),
    R(r"^api:health-inbox-list$", READ, SIGNED_IN_LIST),
    R(r"^api:health-inbox-detail$", READ, ABSENT),
    # --- filings ---------------------------------------------------------------------------
    R(r"^api:filing-list$", ("GET", "POST"), SIGNED_IN_LIST),
    R(
        r"^api:filing-(detail|receipt|conditions-notice|download-document|staff|staff-detail|"
        r"changes-api|vacancies-api)$",
        READ,
        expect(ok=(OP, REV), any_=(REG, INS, FIN, SUP)),
    ),
    R(r"^api:filing-detail$", ("PATCH", "PUT"), expect(ok=(OP,))),
    R(r"^api:filing-staff-detail$", ("DELETE",), expect(ok=(OP,))),
    R(
        r"^api:filing-(documents|submit|staff|staff-detail|changes-api|vacancies-api)$",
        WRITE + ("PATCH", "PUT"),
        expect(ok=(OP,)),
    ),
    R(
        r"^api:filing-(accept|request-supplement|nonconforming|conforming)$",
        WRITE,
        expect(ok=(REV,)),
    ),
    R(r"^api:filing-deregister$", WRITE, expect(ok=(OP, REV))),
    R(r"^api:filing-change-list$", READ, SIGNED_IN_LIST),
    R(r"^api:filing-change-", ("GET", "POST", "PATCH", "PUT"), ABSENT),
    R(r"^api:ban-list$", ("GET", "POST"), SIGNED_IN_LIST),
    # The ban register is national (a banned person is banned everywhere): other counties'
    # reviewers may read it; everyone else is refused by role.
    R(r"^api:ban-detail$", ("PATCH", "PUT"), expect(ok=(REV,), any_=(OREV,), hide=())),
    R(r"^api:ban-detail$", READ, expect(ok=(REV,), any_=(OREV, SUP), hide=())),
    # --- inspections -----------------------------------------------------------------------
    R(r"^api:(inspection|finding|complaint|enforcement)-list$", ("GET", "POST"), SIGNED_IN_LIST),
    R(r"^api:api-inspection-due$", READ, SIGNED_IN_LIST),
    R(r"^api:inspection-detail$", READ, expect(ok=(INS, REV, OP), any_=(SUP, REG, FIN))),
    R(r"^api:finding-detail$", READ, expect(ok=(INS, REV, OP), any_=(SUP, REG, FIN))),
    R(r"^api:finding-rectify$", WRITE, expect(ok=(OP,))),
    R(r"^api:finding-verify$", WRITE, expect(ok=(INS,))),
    R(r"^api:complaint-detail$", READ, expect(ok=(REV,), any_=(SUP, INS))),
    R(r"^api:complaint-triage$", WRITE, expect(ok=(REV,))),
    R(r"^api:enforcement-", ("GET", "POST"), ABSENT),
    # --- subsidies -------------------------------------------------------------------------
    R(r"^api:subsidy-scheme-(list|detail)$", READ, expect(any_=SIGNED_IN, hide=())),
    R(r"^api:subsidy-claim-(list|queue)$", ("GET", "POST"), SIGNED_IN_LIST),
    R(r"^api:subsidy-claim-detail$", READ, expect(ok=(OP, FIN), any_=(SUP, REV))),
    R(r"^api:subsidy-claim-detail$", ("PATCH", "PUT"), expect(ok=(OP,))),
    R(r"^api:subsidy-claim-(submit|documents)$", WRITE, expect(ok=(OP,))),
    R(r"^api:subsidy-claim-(approve|reject|request-changes)$", WRITE, expect(ok=(FIN,))),
    R(r"^api:payment-batch-list$", ("GET", "POST"), SIGNED_IN_LIST),
    R(r"^api:payment-batch-", ("GET", "POST"), ABSENT),
    # --- pages: operators ------------------------------------------------------------------
    R(
        r"^page:(operator-home|registration-create|filing-start|operator-findings|subsidy-claims)$",
        READ,
        expect(any_=SIGNED_IN, hide=()),
    ),
    R(r"^page:subsidy-claim-new$", READ, expect(any_=SIGNED_IN, hide=())),
    R(r"^page:registration-(detail|edit|submit)$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(r"^page:institution-members$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(r"^page:filing-(detail|edit|readiness)$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(
        r"^page:(staff-roster|staff-edit|filing-change-create|filing-deregister-page)$",
        READ,
        expect(ok=(OP,), any_=STAFF_A + (SUP,)),
    ),
    R(r"^page:finding-rectify$", READ, expect(ok=(OP,), any_=STAFF_A + (SUP,))),
    R(
        r"^page:subsidy-claim-(detail|submit|document)$",
        READ,
        expect(ok=(OP,), any_=STAFF_A + (SUP,)),
    ),
    R(r"^page:subsidy-claim-decide$", READ, expect(any_=(OP, FIN, SUP) + STAFF_A)),
    # --- pages: staff queues ---------------------------------------------------------------
    R(
        r"^page:(registrar-queue|registrar-import|registrar-import-template)$",
        READ,
        expect(ok=(REG, OREG), any_=SIGNED_IN, hide=()),
    ),
    R(r"^page:registrar-import-report$", READ, ABSENT),
    R(r"^page:subsidy-claim-document-download$", READ, ABSENT),  # <document_id> does not exist
    # The ban register is national: every county's reviewers may read and correct it.
    R(r"^page:ban-correct$", READ, expect(ok=(REV, OREV), any_=(SUP,), hide=())),
    # The registrar's review page reads through Registration.visible_to: the owner and county
    # staff may read it too; deciding needs the registrar (checked by the decide POST).
    R(
        r"^page:(registrar-registration|registrar-decide)$",
        READ,
        expect(ok=(REG,), any_=(OP, REV, INS, FIN, SUP)),
    ),
    R(
        r"^page:(health-inbox|reviewer-queue|filing-changes|ban-register|complaint-queue|"
        r"inspection-due)$",
        READ,
        expect(ok=(REV, OREV), any_=SIGNED_IN, hide=()),
    ),
    R(r"^page:reviewer-filing$", READ, expect(ok=(REV,), any_=(SUP, INS, REG, FIN))),
    R(
        r"^page:(filing-change-detail|subsidy-batch-detail|subsidy-batch-export)$",
        READ,
        ABSENT,
    ),
    R(r"^page:complaint-triage$", READ, expect(ok=(REV,), any_=(SUP, INS))),
    R(r"^page:(subsidy-queue|subsidy-batches)$", READ, expect(ok=(FIN,), any_=SIGNED_IN, hide=())),
    # --- statistics, dashboards, notifications -------------------------------------------
    R(r"^api:stats-region-api$", READ, expect(ok=(REV, SUP))),  # <code> is county A
    R(r"^(?:api|page):(public-stats-region-api|public-stats)$", READ, EVERYONE),
    R(r"^api:calendar-deadline$", READ, EVERYONE),  # the working-day calculator
    R(
        r"^page:(dashboard|dashboard-export|notifications|notifications-read-all)$",
        READ,
        expect(any_=SIGNED_IN, hide=()),
    ),
    R(r"^page:(notification-read|enforcement-reply)$", READ, ABSENT),
    R(r"^api:finding-follow-up$", WRITE, expect(ok=(INS,))),
    R(r"^api:credit-record-list$", READ, SIGNED_IN_LIST),
    # --- admin: inspectors' tool; everyone else is sent to the admin sign-in ----------------
    R(
        r"^admin:(registry|inspections|subsidies)_\w+_changelist$",
        READ,
        expect(any_=(INS,), hide=(), default=DENY),
    ),
)


def rule_for(key: str, method: str) -> Rule | None:
    for rule in RULES:
        if method in rule.methods and rule.matches(key):
            return rule
    if key.startswith("page:") and method == "POST":
        # A page's form POST is refused to whoever may not see the page (the test relaxes the
        # allowed side to "no 5xx": a minimal form body may redirect, re-render or 400).
        return rule_for(key, "GET")
    return None
