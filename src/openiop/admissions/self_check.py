"""The anonymous "Is this program right for me?" self-check: a few answers in, plain-language
guidance out. Pure, and nothing here is ever stored.

It is a signpost, not an assessment: the guidance always ends in a conversation with staff.
Outcomes, most urgent first:

* ``seek_help_now``   any answer other than "not at all" to the question on thoughts of death
                      or self-harm (PHQ-9 item 9). This overrides everything else.
* ``talk_with_us``    something points past this program: withdrawal that has been dangerous
                      before, both mood questions answered at the top (PHQ-2 ≥ 5), very heavy
                      drinking (AUDIT-C ≥ 10), most drug-use signs ticked (≥ 4 of 5), or no safe
                      place to live (we can talk about sober living first).
* ``lighter_support`` little sign of a use disorder: no positive AUDIT-C, no drug-use signs and
                      use at most a few times a month. A less intensive option may suit.
* ``likely_fit``      everything else: the program is likely a fit.

Every threshold is a field of `Thresholds`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openiop.admissions.dsm5 import SUBSTANCES
from openiop.instruments import Score, get_instrument, score
from openiop.kit.errors import ValidationFailed

FREQUENCIES: dict[str, str] = {
    "less_than_monthly": "Less than once a month",
    "monthly": "A few times a month",
    "weekly": "Once or twice a week",
    "most_days": "Three to six days a week",
    "daily": "Every day or almost every day",
}
LIGHT_USE = frozenset({"less_than_monthly", "monthly"})

# Our own short drug-use questions (the DAST-10 needs a licence for commercial use).
DRUG_SIGNS: dict[str, str] = {
    "more_than_meant": "Used more, or for longer, than you meant to",
    "could_not_cut_down": "Wanted to cut down or stop, and could not",
    "trouble_at_home_or_work": "Had trouble at work, school or home because of using",
    "sick_when_stopping": "Felt sick, shaky or very low when you stopped",
    "gave_things_up": "Gave up things you used to enjoy because of using",
}

HOMES: dict[str, str] = {
    "safe_home": "My home is safe and free of alcohol and drugs",
    "sober_living": "I live in a sober-living home, or could move into one",
    "unsafe": "My home is not safe, has alcohol or drugs around, or I have no steady place",
}

COMMITMENTS: dict[str, str] = {
    "work_days": "I work or study during the day",
    "work_evenings": "I work or study in the evenings",
    "caring": "I look after children or other family members",
}

OUTCOMES: dict[str, str] = {
    "seek_help_now": "Please get help now",
    "talk_with_us": "Talk with us about a more intensive level of care",
    "likely_fit": "This program is likely a fit for you",
    "lighter_support": "A less intensive option may suit you",
}

_PHQ9 = get_instrument("PHQ-9")
MOOD_QUESTIONS = (_PHQ9.items[0].text, _PHQ9.items[1].text)  # PHQ-2 = PHQ-9 items 1 and 2
SAFETY_QUESTION = _PHQ9.items[8].text
MOOD_OPTIONS = tuple((o.points, o.label) for o in _PHQ9.items[0].options)
AUDIT_C_ITEMS = get_instrument("AUDIT-C").items
AUDIT_C_QUESTIONS = tuple(
    (item.text, tuple((o.points, o.label) for o in item.options)) for item in AUDIT_C_ITEMS
)


@dataclass(frozen=True)
class Thresholds:
    safety_above: int = 0
    mood_talk_from: int = 5  # PHQ-2 total, 0–6
    mood_mention_from: int = 3  # the usual PHQ-2 screening cut-off
    audit_c_talk_from: int = 10
    drug_signs_talk_from: int = 4


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Answers:
    substances: tuple[str, ...]
    frequency: str
    audit_c: tuple[int, ...] | None  # only when alcohol is among the substances
    drug_signs: frozenset[str]
    dangerous_withdrawal: bool
    mood: tuple[int, int]
    safety: int
    home: str
    commitments: frozenset[str] = field(default_factory=frozenset)

    @property
    def uses_drugs(self) -> bool:
        return any(s != "alcohol" for s in self.substances)


@dataclass(frozen=True)
class Guidance:
    outcome: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    audit_c: Score | None
    mood_total: int

    @property
    def headline(self) -> str:
        return OUTCOMES[self.outcome]


# ---- reading the form --------------------------------------------------------------------------


def _choice(
    form: Mapping[str, str],
    name: str,
    allowed: Mapping[str, str],
    message: str,
    errors: dict[str, str],
) -> str:
    value = (form.get(name) or "").strip()
    if value not in allowed:
        errors[name] = message
    return value


def _points(
    form: Mapping[str, str], name: str, allowed: Sequence[int], message: str, errors: dict[str, str]
) -> int:
    raw = (form.get(name) or "").strip()
    if not raw.isdigit() or int(raw) not in allowed:
        errors[name] = message
        return 0
    return int(raw)


def read_answers(form: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> Answers:
    """Check a submitted form; ValidationFailed names every question that needs an answer."""
    errors: dict[str, str] = {}
    substances = tuple(dict.fromkeys(s for s in lists.get("substances", ()) if s in SUBSTANCES))
    if not substances:
        errors["substances"] = "Choose at least one substance you are concerned about."
    frequency = _choice(form, "frequency", FREQUENCIES, "Choose how often you use.", errors)
    audit_c = None
    if "alcohol" in substances:
        audit_c = tuple(
            _points(form, f"audit_c_{n}", item.allowed, "Choose an answer about drinking.", errors)
            for n, item in enumerate(AUDIT_C_ITEMS, start=1)
        )
    withdrawal = _choice(
        form, "dangerous_withdrawal", {"yes": "", "no": ""}, "Answer yes or no.", errors
    )
    mood = tuple(
        _points(form, f"mood_{n}", range(4), "Choose how often this bothered you.", errors)
        for n in (1, 2)
    )
    safety = _points(form, "safety", range(4), "Choose how often you had these thoughts.", errors)
    home = _choice(form, "home", HOMES, "Choose the answer closest to where you live.", errors)
    if errors:
        raise ValidationFailed("Please answer the questions marked.", field_errors=errors)
    return Answers(
        substances=substances,
        frequency=frequency,
        audit_c=audit_c,
        drug_signs=frozenset(s for s in lists.get("drug_signs", ()) if s in DRUG_SIGNS),
        dangerous_withdrawal=withdrawal == "yes",
        mood=(mood[0], mood[1]),
        safety=safety,
        home=home,
        commitments=frozenset(c for c in lists.get("commitments", ()) if c in COMMITMENTS),
    )


# ---- the guidance ------------------------------------------------------------------------------


def guide(answers: Answers, thresholds: Thresholds = DEFAULT) -> Guidance:
    t = thresholds
    audit_c = score("AUDIT-C", answers.audit_c) if answers.audit_c is not None else None
    mood_total = sum(answers.mood)
    if answers.safety > t.safety_above:
        reasons = ("You told us you have had thoughts of death or of hurting yourself.",)
        return Guidance("seek_help_now", reasons, (), audit_c, mood_total)
    reasons = _more_care_reasons(answers, audit_c, mood_total, t)
    notes = _notes(answers, mood_total, t)
    if reasons:
        return Guidance("talk_with_us", tuple(reasons), notes, audit_c, mood_total)
    if _light(answers, audit_c):
        why = ("Your answers show little sign that alcohol or drug use has taken hold.",)
        return Guidance("lighter_support", why, notes, audit_c, mood_total)
    why = ["Your answers point to a problem with alcohol or drugs that this program treats."]
    if answers.home in {"safe_home", "sober_living"}:
        why.append("You have a safe place to live while you take part.")
    return Guidance("likely_fit", tuple(why), notes, audit_c, mood_total)


def _more_care_reasons(
    answers: Answers, audit_c: Score | None, mood_total: int, t: Thresholds
) -> list[str]:
    reasons = []
    if answers.dangerous_withdrawal:
        reasons.append(
            "Stopping has been dangerous for you before. Withdrawal may need medical care "
            "first, and we can arrange that."
        )
    if audit_c is not None and audit_c.total is not None and audit_c.total >= t.audit_c_talk_from:
        reasons.append(
            "Your drinking is very heavy. A more structured setting may be safer at the start."
        )
    if answers.uses_drugs and len(answers.drug_signs) >= t.drug_signs_talk_from:
        reasons.append(
            "Drug use is affecting many parts of your life. More support than this program "
            "may help at first."
        )
    if mood_total >= t.mood_talk_from:
        reasons.append(
            "Your mood has been very low. A program that treats mood and addiction together "
            "may suit you better."
        )
    if answers.home == "unsafe":
        reasons.append(
            "This program needs a safe, alcohol- and drug-free place to live. We can talk "
            "about moving into a sober-living home first."
        )
    return reasons


def _light(answers: Answers, audit_c: Score | None) -> bool:
    drinking_flagged = (
        audit_c is not None and audit_c.band is not None and (audit_c.band.code == "positive")
    )
    drug_flagged = answers.uses_drugs and bool(answers.drug_signs)
    return answers.frequency in LIGHT_USE and not drinking_flagged and not drug_flagged


def _notes(answers: Answers, mood_total: int, t: Thresholds) -> tuple[str, ...]:
    notes = []
    if t.mood_mention_from <= mood_total < t.mood_talk_from:
        notes.append(
            "Your answers about mood are worth talking through. We look at mood as well as "
            "substance use when we meet."
        )
    if answers.commitments:
        notes.append(
            "Groups run at set times at each location, so you can keep working, studying or "
            "caring for family. Tell us your commitments and we will look for a time that fits."
        )
    return tuple(notes)
