"""Pure rules for the patient registry: reading a search box, checking demographics and
weekly commitments (enrollments: enrollment_rules.py). No I/O: the service gathers the
facts, these decide.

Every check returns {field: message} so pages and the API can name the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from openiop.kit.identifiers import ZIP_RE, normalize_us_phone

SEX_AT_BIRTH = {
    "female": "Female",
    "male": "Male",
    "intersex": "Intersex",
    "unknown": "Unknown",
    "declined": "Declined to answer",
}
COMMITMENT_KINDS = {
    "work": "Work shift",
    "school": "School",
    "childcare": "Childcare",
    "other": "Other",
}
WEEKDAYS = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}

# Front desk keeps addresses and phone numbers current; identity and clinical fields are
# changed by admissions or a director, who check documents and own the record's accuracy.
CONTACT_FIELDS = (
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)
IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "registered_location_id",
)
PATIENT_FIELDS = IDENTITY_FIELDS + CONTACT_FIELDS

EARLIEST_BIRTH = date(1900, 1, 1)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MRN_SHAPE = re.compile(r"^[A-Za-z]{0,3}\d{3,}$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MAX_SEARCH_WORDS = 5


class RuleError(ValueError):
    """One value that cannot be read; the message is fit to show next to the field."""


# ---- small readers ----------------------------------------------------------------------


def text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def parse_date(raw: object) -> date | None:
    """MM/DD/YYYY or YYYY-MM-DD (what <input type=date> sends); None when blank."""
    if isinstance(raw, date):
        return raw
    value = text(raw)
    if not value:
        return None
    us, iso = US_DATE.match(value), ISO_DATE.match(value)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        raise RuleError("That is not a real date.") from None
    raise RuleError("Enter a date as MM/DD/YYYY or YYYY-MM-DD.")


def parse_time(raw: object) -> time | None:
    if isinstance(raw, time):
        return raw
    value = text(raw)
    if not value:
        return None
    for fmt in ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p"):
        try:
            return datetime.strptime(value.upper(), fmt).time()
        except ValueError:
            continue
    raise RuleError("Enter a time as HH:MM (24-hour) or like 9:30 AM.")


def parse_id(raw: object) -> int | None:
    value = text(raw)
    if not value:
        return None
    if not value.isdigit():
        raise RuleError("Choose one of the listed options.")
    return int(value)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# ---- search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientSearch:
    """What a search box asked for. Name parts are lower-case prefixes."""

    mrn: str | None = None
    date_of_birth: date | None = None
    words: tuple[str, ...] = ()  # each must start the first, last or preferred name
    last_prefix: str | None = None  # from "last, first"
    first_prefix: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == PatientSearch()


def parse_search(raw: str | None) -> PatientSearch:
    """Read a query as a date of birth, an exact MRN, or name fragments."""
    query = " ".join(text(raw).split())
    if not query:
        return PatientSearch()
    if US_DATE.match(query) or ISO_DATE.match(query):
        return PatientSearch(date_of_birth=parse_date(query))
    if MRN_SHAPE.match(query):
        return PatientSearch(mrn=query.upper())
    if "," in query:
        last, _, first = query.partition(",")
        return PatientSearch(
            last_prefix=last.strip().lower() or None, first_prefix=first.strip().lower() or None
        )
    words = tuple(query.lower().split(" "))
    if len(words) > MAX_SEARCH_WORDS:
        raise RuleError(f"Use at most {MAX_SEARCH_WORDS} words.")
    return PatientSearch(words=words)


# ---- patients ---------------------------------------------------------------------------

_MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "preferred_name": 100,
    "gender_identity": 50,
    "pronouns": 30,
    "email": 254,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "preferred_language": 40,
    "emergency_contact_name": 200,
    "emergency_contact_relationship": 50,
}


def check_patient(
    raw: Mapping[str, object], *, today: date
) -> tuple[dict[str, object], dict[str, str]]:
    """Clean every demographic field of `raw` (a whole record); return (values, errors)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name in PATIENT_FIELDS:
        try:
            values[name] = _clean_patient_field(name, raw.get(name), today)
        except RuleError as error:
            errors[name] = str(error)
    if "postal_code" not in errors and "state" not in errors:
        problem = _zip_problem(values.get("postal_code"), values.get("state"))  # type: ignore[arg-type]
        if problem:
            errors["postal_code"] = problem
    return values, errors


def _clean_patient_field(name: str, raw: object, today: date) -> object:
    if name == "date_of_birth":
        return _birth_date(raw, today)
    if name == "registered_location_id":
        value = parse_id(raw)
        if value is None:
            raise RuleError("Choose the site registering the patient.")
        return value
    value = text(raw)
    if name in {"first_name", "last_name"} and not value:
        raise RuleError("Required.")
    if name in _MAX_LENGTHS and len(value) > _MAX_LENGTHS[name]:
        raise RuleError(f"Use at most {_MAX_LENGTHS[name]} characters.")
    reader = _READERS.get(name)
    if reader is not None:
        return reader(value)
    return value or None


def _birth_date(raw: object, today: date) -> date:
    born = parse_date(raw)
    if born is None:
        raise RuleError("Required.")
    if born >= today:
        raise RuleError("The date of birth must be in the past.")
    if born < EARLIEST_BIRTH:
        raise RuleError("The date of birth cannot be before 1900.")
    return born


def _phone(value: str) -> str | None:
    if not value:
        return None
    phone = normalize_us_phone(value)
    if phone is None:
        raise RuleError("Enter a 10-digit US phone number, like (555) 010-0123.")
    return phone


def _email(value: str) -> str | None:
    if not value:
        return None
    if not EMAIL.match(value):
        raise RuleError("Enter an email address like name@example.org.")
    return value.lower()


def _state(value: str) -> str | None:
    if not value:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise RuleError("Use the two-letter state code, like CA.")
    return value.upper()


def _zip(value: str) -> str | None:
    if not value:
        return None
    if not ZIP_RE.match(value):
        raise RuleError("Enter a ZIP code as 12345 or 12345-6789.")
    return value


def _sex(value: str) -> str:
    if not value:
        return "unknown"
    if value not in SEX_AT_BIRTH:
        raise RuleError("Choose one of the listed options.")
    return value


def _language(value: str) -> str:
    return value or "English"


_READERS = {
    "phone": _phone,
    "emergency_contact_phone": _phone,
    "email": _email,
    "state": _state,
    "postal_code": _zip,
    "sex_at_birth": _sex,
    "preferred_language": _language,
}


def _zip_problem(postal_code: str | None, state: str | None) -> str | None:
    """California ZIP codes run from 900xx to 961xx; an address in CA (or with no state,
    since the programs are in California) must use one of them."""
    if not postal_code or (state not in (None, "CA")):
        return None
    if not 900 <= int(postal_code[:3]) <= 961:
        return "California ZIP codes start with 900 to 961."
    return None


# ---- weekly commitments -----------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    kind: str
    weekday: int
    start_time: time
    end_time: time
    label: str | None


def check_commitment(raw: Mapping[str, object]) -> tuple[CommitmentInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    kind = text(raw.get("kind"))
    if kind not in COMMITMENT_KINDS:
        errors["kind"] = "Choose what kind of commitment this is."
    weekday = text(raw.get("weekday"))
    if weekday not in {str(day) for day in WEEKDAYS}:
        errors["weekday"] = "Choose a day of the week (1 = Monday to 7 = Sunday)."
    start = _required_time(raw.get("start_time"), "start_time", errors)
    end = _required_time(raw.get("end_time"), "end_time", errors)
    if start and end and start >= end:
        errors["end_time"] = "The end must be after the start."
    label = text(raw.get("label"))
    if len(label) > 100:
        errors["label"] = "Use at most 100 characters."
    if errors:
        return None, errors
    return CommitmentInput(kind, int(weekday), start, end, label or None), {}  # type: ignore[arg-type]


def _required_time(raw: object, name: str, errors: dict[str, str]) -> time | None:
    try:
        value = parse_time(raw)
    except RuleError as error:
        errors[name] = str(error)
        return None
    if value is None:
        errors[name] = "Required."
    return value
