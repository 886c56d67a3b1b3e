"""Level-of-care recommendation: pure, documented rules, every threshold in `Thresholds`.

How it decides
--------------
The goal is the *least intensive level of care at which the person is safe*. It is not an
average of the six ASAM dimension ratings: one serious problem is enough to need more care,
however well everything else is going, and good ratings elsewhere cannot cancel it.

Each rule looks at one fact and, when it fires, names the lowest level that fact allows. The
recommendation is the most intensive of those minimums, which is the same thing as the least
intensive level that satisfies every rule that fired. Every rule that fired is listed as a
reason with the values that made it fire, and the levels it outranked are kept in
`also_indicated` (a partial-hospitalization recommendation that also shows
"co_occurring_program" means: choose a co-occurring-capable partial program).

Intensity order, least to most (`INTENSITY`):
outpatient < iop < iop_with_sober_living < co_occurring_program < partial_hospitalization
< residential < withdrawal_management < urgent_safety_assessment.
Withdrawal management outranks residential because withdrawal has to be made safe before any
other level can start; the urgent safety assessment comes before everything.

The rules (T = Thresholds; defaults in brackets):
0. PHQ-9 item 9 above T.phq9_item9_urgent_above [0] → urgent_safety_assessment, whatever else.
1. Use disorder, from the most severe substance (DSM-5 criteria count):
   none (0-1) → outpatient (IOP is for a use disorder);
   mild (2-3), all six dimensions rated ≤ T.outpatient_max_rating [1], home not unsafe → outpatient;
   other mild, and moderate (4-5) → iop;
   severe (6+) → partial_hospitalization, or residential when the risk is high: dimension 5 or 6
   rated ≥ T.severe_residential_risk_from [3] or an unsafe home.
2. Withdrawal not manageable as an outpatient → withdrawal_management: CIWA-Ar ≥ 10,
   COWS ≥ 13, or dimension 1 ≥ 3.
3. A co-occurring condition that needs a dual-diagnosis program → co_occurring_program:
   PHQ-9 ≥ 20, GAD-7 ≥ 15, PCL-5 ≥ 33, or dimension 3 ≥ 3.
4. Biomedical needs or a high chance of continued use → residential: dimension 2 ≥ 3 or
   dimension 5 ≥ 4.
5. With a use disorder, an unsafe home or dimension 6 ≥ 3 → iop_with_sober_living (IOP on
   condition of moving into sober living).
A dimension that was not rated fires nothing, but outpatient needs all six rated. Safe home and
sober living count the same. Because every rule only ever fires on worse answers and each asks
for a fixed level, worse answers can never lead to a less intensive recommendation
(tests/unit/test_level_of_care.py checks this with hypothesis). See docs/level-of-care.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openiop.admissions.assessment import (
    HOME_ENVIRONMENTS,
    Assessment,
    AssessmentInputError,
    Facts,
    validate,
)
from openiop.admissions.dsm5 import Finding
from openiop.instruments import DEFAULT_SCORING, Score, ScoringSettings

__all__ = [
    "DEFAULT",
    "INTENSITY",
    "LEVEL_LABELS",
    "RULES",
    "Rule",
    "Assessment",
    "AssessmentInputError",
    "Reason",
    "Recommendation",
    "Thresholds",
    "recommend",
]

INTENSITY = (
    "outpatient",
    "iop",
    "iop_with_sober_living",
    "co_occurring_program",
    "partial_hospitalization",
    "residential",
    "withdrawal_management",
    "urgent_safety_assessment",
)
LEVEL_LABELS = {
    "outpatient": "Standard outpatient (ASAM level 1)",
    "iop": "Intensive outpatient program (ASAM level 2.1)",
    "iop_with_sober_living": "Intensive outpatient, on condition of moving into sober living",
    "co_occurring_program": "A co-occurring-capable (dual-diagnosis) program",
    "partial_hospitalization": "Partial hospitalization (ASAM level 2.5)",
    "residential": "Residential treatment",
    "withdrawal_management": "Withdrawal management first",
    "urgent_safety_assessment": "Urgent safety assessment today, before any other decision",
}


@dataclass(frozen=True)
class Thresholds:
    """Every number the rules use. Totals and ratings at or above a `_from` value fire the rule."""

    phq9_item9_urgent_above: int = 0
    ciwa_ar_withdrawal_from: int = 10
    cows_withdrawal_from: int = 13
    dimension1_withdrawal_from: int = 3
    phq9_co_occurring_from: int = 20
    gad7_co_occurring_from: int = 15
    pcl5_co_occurring_from: int = 33
    dimension3_co_occurring_from: int = 3
    dimension2_residential_from: int = 3
    dimension5_residential_from: int = 4
    severe_residential_risk_from: int = 3  # dimension 5 or 6, with a severe use disorder
    dimension6_sober_living_from: int = 3
    outpatient_max_rating: int = 1  # outpatient needs every dimension at or below this


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Reason:
    rule: str
    detail: str


@dataclass(frozen=True)
class Rule:
    level: str  # the least intensive level allowed once this rule fires
    meaning: str  # plain words, for pages that explain a recommendation


RULES: dict[str, Rule] = {
    "phq9_item9_urgent": Rule("urgent_safety_assessment", "Thoughts of death or self-harm reported: a clinician must assess safety today."),
    "no_use_disorder": Rule("outpatient", "No substance meets the criteria for a use disorder."),
    "mild_low_risk": Rule("outpatient", "Mild use disorder and low risk in every dimension: outpatient care is enough."),
    "mild_use_disorder": Rule("iop", "Mild use disorder, but not low enough risk for outpatient care."),
    "moderate_use_disorder": Rule("iop", "Moderate use disorder: intensive outpatient level."),
    "fits_iop": Rule("iop", "Every condition for intensive outpatient care holds."),
    "unsafe_home": Rule("iop_with_sober_living", "Home is unsafe or unstable: IOP only with a move into sober living."),
    "dimension6_high": Rule("iop_with_sober_living", "Recovery environment rated serious: IOP only with a move into sober living."),
    "phq9_severe": Rule("co_occurring_program", "Severe depression: needs a co-occurring-capable program."),
    "gad7_severe": Rule("co_occurring_program", "Severe anxiety: needs a co-occurring-capable program."),
    "pcl5_probable_ptsd": Rule("co_occurring_program", "Probable PTSD: needs a co-occurring-capable program."),
    "dimension3_high": Rule("co_occurring_program", "Emotional, behavioral or cognitive problems rated serious."),
    "severe_use_disorder": Rule("partial_hospitalization", "Severe use disorder: more structure than intensive outpatient."),
    "severe_with_high_risk": Rule("residential", "Severe use disorder with a high risk of use or an unsafe home."),
    "dimension2_high": Rule("residential", "Physical health problems rated serious."),
    "dimension5_high": Rule("residential", "Risk of continued use or relapse rated severe."),
    "ciwa_ar_high": Rule("withdrawal_management", "Alcohol withdrawal too severe to manage as an outpatient."),
    "cows_high": Rule("withdrawal_management", "Opioid withdrawal too severe to manage as an outpatient."),
    "dimension1_high": Rule("withdrawal_management", "Intoxication or withdrawal risk rated serious."),
}  # fmt: skip


def _rank(reason: Reason) -> int:
    return INTENSITY.index(RULES[reason.rule].level)


@dataclass(frozen=True)
class Recommendation:
    level: str
    reasons: tuple[Reason, ...]
    scores: dict[str, Score] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    also_indicated: tuple[str, ...] = ()  # lower levels other fired rules asked for

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of POST /api/v1/level-of-care/evaluate."""
        return {
            "recommendation": self.level,
            "scores": {name: s.as_dict() for name, s in self.scores.items()},
            "reasons": [{"rule": r.rule, "detail": r.detail} for r in self.reasons],
            "also_indicated": list(self.also_indicated),
            "dsm5": [
                {"substance": f.substance, "criteria_met": f.criteria_met, "severity": f.severity}
                for f in self.findings
            ],
        }


def recommend(
    inputs: Assessment,
    thresholds: Thresholds = DEFAULT,
    *,
    scoring: ScoringSettings = DEFAULT_SCORING,
) -> Recommendation:
    """Raises AssessmentInputError (422) naming every field at fault before deciding anything."""
    facts = validate(inputs, scoring)
    t = thresholds
    fired = [
        *_urgent(facts, t),
        _use_disorder(facts, t),
        *_withdrawal(facts, t),
        *_co_occurring(facts, t),
        *_residential(facts, t),
        *_environment(facts, t),
    ]
    level = INTENSITY[max(_rank(r) for r in fired)]
    if level == "iop":
        fired.append(Reason("fits_iop", _iop_conditions(facts, t)))
    # Reasons for the chosen level first, then the others from most to least intensive.
    fired.sort(key=_rank, reverse=True)
    outranked = {RULES[r.rule].level for r in fired} - {level}
    return Recommendation(
        level=level,
        reasons=tuple(fired),
        scores=facts.scores,
        findings=facts.findings,
        also_indicated=tuple(sorted(outranked, key=INTENSITY.index, reverse=True)),
    )


# ---- the rules: each returns the reasons that fired ------------------------------------------


def _urgent(facts: Facts, t: Thresholds) -> list[Reason]:
    phq9 = facts.scores.get("PHQ-9")
    if phq9 is None or phq9.answers[8] <= t.phq9_item9_urgent_above:
        return []
    detail = f"PHQ-9 item 9 answered {phq9.answers[8]} > {t.phq9_item9_urgent_above}"
    return [Reason("phq9_item9_urgent", detail)]


def _use_disorder(facts: Facts, t: Thresholds) -> Reason:
    worst = facts.worst.describe()
    severity = facts.worst.severity
    if severity == "none":
        return Reason("no_use_disorder", "; ".join(f.describe() for f in facts.findings))
    if severity != "mild":
        return Reason(f"{severity}_use_disorder", worst)
    blockers = _outpatient_blockers(facts, t)
    if not blockers:
        return Reason(
            "mild_low_risk", f"{worst}; all six dimensions rated ≤ {t.outpatient_max_rating}"
        )
    return Reason("mild_use_disorder", f"{worst}; not outpatient: {', '.join(blockers)}")


def _outpatient_blockers(facts: Facts, t: Thresholds) -> list[str]:
    found = [
        f"dimension {d} rated {r} > {t.outpatient_max_rating}"
        for d, r in sorted(facts.ratings.items())
        if r > t.outpatient_max_rating
    ]
    missing = [d for d in "123456" if d not in facts.ratings]
    if missing:
        found.append(f"dimension{'s' if len(missing) > 1 else ''} {', '.join(missing)} not rated")
    if facts.home_environment == "unsafe":
        found.append("home environment unsafe")
    return found


def _at_least(facts: Facts, instrument: str, floor: int) -> str | None:
    total = facts.total(instrument)
    return None if total is None or total < floor else f"{instrument} total {total} ≥ {floor}"


def _rated_at_least(facts: Facts, dimension: str, floor: int) -> str | None:
    rating = facts.rating(dimension)
    if rating is None or rating < floor:
        return None
    return f"dimension {dimension} rated {rating} ≥ {floor}"


def _fired(checks: list[tuple[str, str | None]]) -> list[Reason]:
    return [Reason(rule, detail) for rule, detail in checks if detail is not None]


def _withdrawal(facts: Facts, t: Thresholds) -> list[Reason]:
    return _fired(
        [
            ("ciwa_ar_high", _at_least(facts, "CIWA-Ar", t.ciwa_ar_withdrawal_from)),
            ("cows_high", _at_least(facts, "COWS", t.cows_withdrawal_from)),
            ("dimension1_high", _rated_at_least(facts, "1", t.dimension1_withdrawal_from)),
        ]
    )


def _co_occurring(facts: Facts, t: Thresholds) -> list[Reason]:
    return _fired(
        [
            ("phq9_severe", _at_least(facts, "PHQ-9", t.phq9_co_occurring_from)),
            ("gad7_severe", _at_least(facts, "GAD-7", t.gad7_co_occurring_from)),
            ("pcl5_probable_ptsd", _at_least(facts, "PCL-5", t.pcl5_co_occurring_from)),
            ("dimension3_high", _rated_at_least(facts, "3", t.dimension3_co_occurring_from)),
        ]
    )


def _residential(facts: Facts, t: Thresholds) -> list[Reason]:
    return _fired(
        [
            ("severe_with_high_risk", _severe_with_high_risk(facts, t)),
            ("dimension2_high", _rated_at_least(facts, "2", t.dimension2_residential_from)),
            ("dimension5_high", _rated_at_least(facts, "5", t.dimension5_residential_from)),
        ]
    )


def _severe_with_high_risk(facts: Facts, t: Thresholds) -> str | None:
    if facts.worst.severity != "severe":
        return None
    floor = t.severe_residential_risk_from
    risks = [_rated_at_least(facts, d, floor) for d in ("5", "6")]
    risks.append("home environment unsafe" if facts.home_environment == "unsafe" else None)
    found = [r for r in risks if r is not None]
    return "; ".join([facts.worst.describe(), *found]) if found else None


def _environment(facts: Facts, t: Thresholds) -> list[Reason]:
    # "IOP on condition of sober living" only makes sense for someone with a use disorder.
    if not facts.worst.has_disorder:
        return []
    unsafe = "home environment unsafe" if facts.home_environment == "unsafe" else None
    return _fired(
        [
            ("unsafe_home", unsafe),
            ("dimension6_high", _rated_at_least(facts, "6", t.dimension6_sober_living_from)),
        ]
    )


def _iop_conditions(facts: Facts, t: Thresholds) -> str:
    """Spell out why IOP fits, with whatever measures were given."""
    floors = (
        ("PHQ-9", t.phq9_co_occurring_from),
        ("GAD-7", t.gad7_co_occurring_from),
        ("PCL-5", t.pcl5_co_occurring_from),
        ("CIWA-Ar", t.ciwa_ar_withdrawal_from),
        ("COWS", t.cows_withdrawal_from),
    )
    below = [
        f"{name} total {facts.total(name)} < {floor}"
        for name, floor in floors
        if facts.total(name) is not None
    ]
    home = HOME_ENVIRONMENTS[facts.home_environment].lower()
    return "; ".join([f"{facts.worst.describe()} (not severe)", *below, f"home: {home}"])
