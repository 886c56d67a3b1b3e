"""Clinical note formats and the note lifecycle: pure rules, no I/O, tested without a database.

A note is a draft until its author signs it. Signing locks it: the signer, the time and a
SHA-256 hash of its content are kept, so any later change to the stored text is detectable.
Authors whose credential practises under supervision (associates, registered counselors) need
a licensed supervisor's co-signature. After signing, only dated addenda may be added, by the
author or the patient's care team. A note signed more than N hours after the service is
flagged as a late entry (N is the `OPENIOP_NOTES_LATE_HOURS` setting).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from openiop.kit.errors import Conflict, Forbidden, ValidationFailed
from openiop.programs.credentials import CREDENTIALS

DRAFT, SIGNED = "draft", "signed"
STATUSES = {DRAFT: "Draft", SIGNED: "Signed"}
MAX_SECTION = 8000
MAX_MEDICATIONS = 12


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str
    required: bool = True


@dataclass(frozen=True)
class NoteFormat:
    code: str
    title: str
    kind: str  # counseling, physician, intake, contact, group
    sections: tuple[Section, ...]


_S = Section
FORMATS: dict[str, NoteFormat] = {
    f.code: f
    for f in (
        NoteFormat(
            "dap",
            "Individual counseling note (DAP)",
            "counseling",
            (
                _S("data", "Data", "What the patient said and what you observed."),
                _S("assessment", "Assessment", "Your clinical reading of the session."),
                _S("plan", "Plan", "Next steps, homework, next session."),
            ),
        ),
        NoteFormat(
            "birp",
            "Individual counseling note (BIRP)",
            "counseling",
            (
                _S("behavior", "Behavior", "Presentation, mood, what the patient reported."),
                _S("intervention", "Intervention", "What you did: techniques, topics."),
                _S("response", "Response", "How the patient responded."),
                _S("plan", "Plan", "Next steps and next session."),
            ),
        ),
        NoteFormat(
            "soap",
            "Physician note (SOAP)",
            "physician",
            (
                _S("subjective", "Subjective", "Symptoms, cravings, use since the last visit."),
                _S("objective", "Objective", "Vital signs, examination, test results."),
                _S("assessment", "Assessment", "Diagnoses and their course."),
                _S("plan", "Plan", "Orders, medication changes, follow-up."),
            ),
        ),
        NoteFormat(
            "intake",
            "Intake assessment",
            "intake",
            (
                _S("presenting_problem", "Presenting problem", "Why the patient came now."),
                _S("substance_history", "Substance use history", "Substances, onset, pattern."),
                _S("mental_health", "Mental health and medical history", "Diagnoses, care."),
                _S("risk", "Risk assessment", "Self-harm, harm to others, withdrawal risk."),
                _S("strengths", "Strengths and supports", "Resources to build on.", False),
                _S("recommendations", "Summary and recommendations", "Level of care, plan."),
            ),
        ),
        NoteFormat(
            "contact",
            "Contact note",
            "contact",
            (
                _S("contact_with", "Contact with", "The patient, or who (e.g. probation officer)."),
                _S("summary", "Summary", "What was discussed or arranged."),
            ),
        ),
        NoteFormat(
            "group",
            "Group note",
            "group",
            (
                _S("participation", "Participation", "How this patient took part."),
                _S("response", "Response", "How they responded to the topic and others."),
                _S("progress", "Progress on plan goals", "Movement on their own goals.", False),
            ),
        ),
    )
}
WRITABLE_FORMATS = ("dap", "birp", "soap", "intake", "contact")  # group parts come from groups
CONTACT_METHODS = {"phone": "Phone", "email": "Email", "collateral": "Collateral (in person)"}
MEDICATION_ROUTES = {
    "oral": "Oral",
    "sublingual": "Sublingual",
    "im": "Intramuscular",
    "iv": "Intravenous",
    "subcutaneous": "Subcutaneous",
    "transdermal": "Transdermal",
    "inhaled": "Inhaled",
    "intranasal": "Intranasal",
    "topical": "Topical",
}
GROUP_SHARED = (
    _S("topic", "Topic", "The session's topic."),
    _S("content", "Content", "What the group covered, written once for everyone."),
    _S("interventions", "Interventions", "Techniques used: CBT skills, motivational work..."),
)


# ---- content ----------------------------------------------------------------------------


def note_format(code: str) -> NoteFormat:
    try:
        return FORMATS[code]
    except KeyError:
        known = ", ".join(WRITABLE_FORMATS)
        raise ValidationFailed(
            f"Unknown note format {code!r}.", field_errors={"format": f"Choose one of {known}."}
        ) from None


def clean_sections(
    sections: Iterable[Section], values: Mapping[str, object]
) -> tuple[dict[str, str], dict[str, str]]:
    """Trimmed text per section, and problems (too long). Missing text is fine in a draft."""
    body: dict[str, str] = {}
    problems: dict[str, str] = {}
    for section in sections:
        raw = values.get(section.key)
        text = raw.strip() if isinstance(raw, str) else ""
        if len(text) > MAX_SECTION:
            problems[section.key] = f"{section.label} is too long (at most {MAX_SECTION} chars)."
        body[section.key] = text
    return body, problems


def missing_for_signing(
    sections: Iterable[Section], body: Mapping[str, str], prefix: str = ""
) -> dict[str, str]:
    """A note is signed complete: every required section must have text."""
    return {
        prefix + s.key: f"{s.label} is required before signing."
        for s in sections
        if s.required and not str(body.get(s.key, "")).strip()
    }


def contact_problems(method: str | None) -> dict[str, str]:
    if method not in CONTACT_METHODS:
        return {"contact_method": "Choose phone, email or collateral."}
    return {}


@dataclass(frozen=True)
class Medication:
    name: str
    dose: str
    route: str
    frequency: str


def clean_medications(rows: Iterable[Mapping[str, str]]) -> tuple[list[Medication], dict]:
    """Rows with any text must have all four parts and a known route; blank rows are dropped."""
    meds: list[Medication] = []
    problems: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        values = {k: str(row.get(k) or "").strip() for k in ("name", "dose", "route", "frequency")}
        if not any(values.values()):
            continue
        for part, value in values.items():
            if not value:
                problems[f"med-{n}-{part}"] = f"Medication {n}: {part} is required."
            elif len(value) > 120:
                problems[f"med-{n}-{part}"] = f"Medication {n}: {part} is too long."
        if values["route"] and values["route"] not in MEDICATION_ROUTES:
            problems[f"med-{n}-route"] = f"Medication {n}: choose a route from the list."
        meds.append(Medication(**values))
    if len(meds) > MAX_MEDICATIONS:
        problems["medications"] = f"At most {MAX_MEDICATIONS} medications per note."
    return meds, problems


def content_hash(payload: Mapping[str, object]) -> str:
    """SHA-256 over a canonical JSON of what was signed: stable across databases."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---- credentials ------------------------------------------------------------------------

# Nurses sign their own notes but do not supervise counselors' clinical work.
_NOT_SUPERVISORS = {"RN"}


def needs_cosign(credentials: Iterable[str]) -> bool:
    """True unless the author holds at least one credential that practises independently.
    No known credential at all also needs a co-signature: safer than assuming a licence."""
    known = [CREDENTIALS[c] for c in credentials if c in CREDENTIALS]
    return not any(not c.supervised for c in known)


def may_supervise(credentials: Iterable[str]) -> bool:
    return any(
        c in CREDENTIALS and not CREDENTIALS[c].supervised and c not in _NOT_SUPERVISORS
        for c in credentials
    )


# ---- lifecycle --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteState:
    """What the lifecycle rules need to know about a stored note."""

    patient_id: int | None  # None for a group note's shared part
    author_user_id: int
    status: str
    cosign_required: bool = False
    cosigned: bool = False


def check_editable(state: NoteState, user_id: int) -> None:
    if state.status == SIGNED:
        raise Conflict("This note is signed and locked. Add a dated addendum instead.")
    if state.author_user_id != user_id:
        raise Forbidden("Only the author may change a draft.")


def check_sign(state: NoteState, user_id: int) -> None:
    if state.status == SIGNED:
        raise Conflict("This note is already signed.")
    if state.author_user_id != user_id:
        raise Forbidden("Only the author may sign a note.")


def check_cosign(state: NoteState, user_id: int, credentials: Iterable[str]) -> None:
    if state.status != SIGNED:
        raise Conflict("The author must sign the note before it can be co-signed.")
    if not state.cosign_required:
        raise Conflict("This note does not need a co-signature.")
    if state.cosigned:
        raise Conflict("This note is already co-signed.")
    if state.author_user_id == user_id:
        raise Forbidden("You cannot co-sign your own note: a supervisor must.")
    if not may_supervise(credentials):
        raise Forbidden("Co-signing needs a licensed supervisor's credential.")


def check_addendum(state: NoteState, patient_id: int, text: str) -> str:
    """The cleaned addendum text; errors for a draft, the wrong patient or empty text."""
    if state.patient_id != patient_id:
        raise ValidationFailed(
            "This note belongs to another patient: an addendum must go on the patient's own note.",
            field_errors={"note": "This note is not in this patient's chart."},
        )
    if state.status != SIGNED:
        raise Conflict("This note is still a draft: edit it instead of adding an addendum.")
    text = text.strip()
    if not text:
        raise ValidationFailed("Write the addendum.", field_errors={"text": "Write the addendum."})
    if len(text) > MAX_SECTION:
        raise ValidationFailed(
            "The addendum is too long.", field_errors={"text": f"At most {MAX_SECTION} chars."}
        )
    return text


def is_late(service_at: datetime, signed_at: datetime, hours: int) -> bool:
    return signed_at - service_at > timedelta(hours=hours)
