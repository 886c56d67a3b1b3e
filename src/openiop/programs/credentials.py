"""Staff credentials and the checks on a staff member: pure, re-exported by programs.rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openiop.kit.identifiers import npi_is_valid

Problems = dict[str, str]


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


@dataclass(frozen=True)
class Credential:
    code: str
    title: str
    supervised: bool  # practises under a licensed supervisor (or a physician's direction)
    needs_npi: bool = False  # prescribers and billing providers must have an NPI


# California scope, in brief. Associates (ACSW, AMFT, APCC) are registered with the Board of
# Behavioral Sciences and practise under a licensed supervisor; a RADT is registered, not yet
# certified, and is supervised; an LVN works under an RN or physician; a PA under a practice
# agreement and most NPs under standardized procedures with a physician. The rest practise
# independently within their scope.
CREDENTIALS: dict[str, Credential] = {
    c.code: c
    for c in (
        Credential("LCSW", "Licensed Clinical Social Worker", False),
        Credential("LMFT", "Licensed Marriage and Family Therapist", False),
        Credential("LPCC", "Licensed Professional Clinical Counselor", False),
        Credential("ACSW", "Associate Clinical Social Worker", True),
        Credential("AMFT", "Associate Marriage and Family Therapist", True),
        Credential("APCC", "Associate Professional Clinical Counselor", True),
        Credential("CADC", "Certified Alcohol and Drug Counselor", False),
        Credential("CADC-II", "Certified Alcohol and Drug Counselor II", False),
        Credential("RADT", "Registered Alcohol and Drug Technician", True),
        Credential("MD", "Physician (MD)", False, needs_npi=True),
        Credential("DO", "Physician (DO)", False, needs_npi=True),
        Credential("NP", "Nurse Practitioner", True, needs_npi=True),
        Credential("PA", "Physician Assistant", True, needs_npi=True),
        Credential("RN", "Registered Nurse", False),
        Credential("LVN", "Licensed Vocational Nurse", True),
        Credential("PsyD", "Psychologist (PsyD)", False),
        Credential("PhD", "Psychologist (PhD)", False),
    )
}
_BY_UPPER = {code.upper(): code for code in CREDENTIALS}
MAX_WEEKLY_HOURS = Decimal("80")
MAX_CASELOAD = 500


def canonical_credentials(codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """Known codes in the list's spelling and order, without repeats; and the unknown ones."""
    known: list[str] = []
    unknown: list[str] = []
    for raw in codes:
        code = _BY_UPPER.get(raw.strip().upper())
        if code is None:
            if raw.strip():
                unknown.append(raw.strip())
        elif code not in known:
            known.append(code)
    return [c for c in CREDENTIALS if c in known], unknown


def credential_problems(codes: Iterable[str], npi: str | None) -> Problems:
    known, unknown = canonical_credentials(codes)
    problems: Problems = {}
    if unknown:
        problems["credentials"] = f"Unknown credential(s): {', '.join(unknown)}."
    if npi:
        if not npi_is_valid(npi):
            problems["npi"] = "That NPI is not valid: an NPI has 10 digits and a check digit."
    else:
        needing = [c for c in known if CREDENTIALS[c].needs_npi]
        if needing:
            problems["npi"] = f"An NPI is required for {', '.join(needing)}."
    return problems


def needs_supervision(codes: Iterable[str]) -> bool:
    """True when every credential held practises under supervision (none is independent)."""
    known, _ = canonical_credentials(codes)
    return bool(known) and all(CREDENTIALS[c].supervised for c in known)


def staff_problems(
    *,
    credentials: Iterable[str],
    npi: str | None,
    caseload_cap: int,
    weekly_hours: Decimal,
    location_count: int,
) -> Problems:
    problems = credential_problems(credentials, npi)
    if caseload_cap < 0 or caseload_cap > MAX_CASELOAD:
        problems["caseload_cap"] = f"The caseload cap must be between 0 and {MAX_CASELOAD}."
    if weekly_hours < 0 or weekly_hours > MAX_WEEKLY_HOURS:
        problems["weekly_hours"] = "Weekly hours must be between 0 and 80."
    elif _decimals(weekly_hours) > 1:
        problems["weekly_hours"] = "Use at most one decimal place (e.g. 37.5)."
    if location_count < 1:
        problems["location_ids"] = "Choose at least one location where this person works."
    return problems
