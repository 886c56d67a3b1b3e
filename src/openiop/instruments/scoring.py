"""Looking instruments up and scoring a list of answers (each answer is the chosen option's points).

Every refusal is an InstrumentInputError naming the instrument and, where it is about one
answer, the 1-based item and what that item allows, so a form or the API can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from openiop.instruments.alcohol import AUDIT, AUDIT_C
from openiop.instruments.drugs import DAST10
from openiop.instruments.model import (
    DEFAULT_SCORING,
    Band,
    Instrument,
    InstrumentInputError,
    Score,
    ScoringSettings,
)
from openiop.instruments.monitoring import BAM
from openiop.instruments.mood import GAD7, PCL5, PHQ9
from openiop.instruments.withdrawal import CIWA_AR, COWS

_ALL = (AUDIT, AUDIT_C, PHQ9, GAD7, PCL5, CIWA_AR, COWS, BAM, DAST10)
INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({i.id: i for i in _ALL})
_BY_FOLDED_ID = {i.id.casefold(): i for i in _ALL}


def is_enabled(instrument: Instrument, settings: ScoringSettings = DEFAULT_SCORING) -> bool:
    return instrument.licence_setting is None or bool(getattr(settings, instrument.licence_setting))


def available_instruments(dast10_licensed: bool) -> tuple[Instrument, ...]:
    """What a program may offer: everything free to use, plus DAST-10 when it holds a licence."""
    settings = ScoringSettings(dast10_licensed=dast10_licensed)
    return tuple(i for i in _ALL if is_enabled(i, settings))


def get_instrument(instrument_id: str) -> Instrument:
    """By id ("PHQ-9"); case does not matter ("phq-9")."""
    found = _BY_FOLDED_ID.get(instrument_id.casefold()) if isinstance(instrument_id, str) else None
    if found is None:
        known = ", ".join(INSTRUMENTS)
        raise InstrumentInputError(
            str(instrument_id),
            None,
            f"Unknown instrument {instrument_id!r}; known instruments: {known}.",
            field="instrument",
        )
    return found


def score(
    instrument_id: str, answers: Sequence[int], *, settings: ScoringSettings = DEFAULT_SCORING
) -> Score:
    instrument = get_instrument(instrument_id)
    if not is_enabled(instrument, settings):
        raise InstrumentInputError(
            instrument.id,
            None,
            f"{instrument.id} is turned off for this program. {instrument.licence}",
            field="instrument",
        )
    checked = check_answers(instrument, answers)
    total = sum(checked) if instrument.has_total else None
    return Score(
        instrument=instrument.id,
        answers=checked,
        total=total,
        band=None if total is None else _band(instrument, total, settings),
        subscales={s.code: sum(checked[n - 1] for n in s.items) for s in instrument.subscales},
        flags=tuple(f.code for f in instrument.flags if checked[f.item - 1] > f.above),
    )


def audit_c_from_audit(
    audit_answers: Sequence[int], *, settings: ScoringSettings = DEFAULT_SCORING
) -> Score:
    """AUDIT-C is the first three AUDIT answers: no need to ask them twice."""
    checked = check_answers(AUDIT, audit_answers)
    return score(AUDIT_C.id, checked[:3], settings=settings)


def check_answers(instrument: Instrument, answers: Any) -> tuple[int, ...]:
    expected = len(instrument.items)
    if isinstance(answers, str | bytes | Mapping) or not isinstance(answers, Sequence):
        raise InstrumentInputError(
            instrument.id,
            None,
            f"{instrument.id} needs a list of {expected} answers, one per item.",
        )
    if len(answers) != expected:
        raise InstrumentInputError(
            instrument.id,
            None,
            f"{instrument.id} has {expected} items: expected {expected} answers, got {len(answers)}.",
        )
    for number, answer in enumerate(answers, start=1):
        _check_one(instrument, number, answer)
    return tuple(answers)


def _check_one(instrument: Instrument, number: int, answer: Any) -> None:
    item = instrument.items[number - 1]
    where = f"{instrument.id} {instrument.item_label(number)}"
    allowed = item.describe_allowed()
    # bool is an int in Python; True as "1 point" would hide a client bug.
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise InstrumentInputError(
            instrument.id,
            number,
            f"{where}: the answer must be a whole number ({allowed}), not {answer!r}.",
        )
    if answer not in item.allowed:
        problem = (
            "is out of range"
            if not item.allowed[0] <= answer <= item.allowed[-1]
            else "is not a possible answer"
        )
        raise InstrumentInputError(
            instrument.id, number, f"{where}: {answer} {problem}; allowed {allowed}."
        )


def _band(instrument: Instrument, total: int, settings: ScoringSettings) -> Band | None:
    return next((b for b in instrument.bands_for(settings) if b.contains(total)), None)
