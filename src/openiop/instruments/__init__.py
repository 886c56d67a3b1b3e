"""Screening and monitoring questionnaires as data, and their scoring. Pure: no I/O.

    from openiop.instruments import score
    score("PHQ-9", [1, 2, 1, 0, 3, 1, 0, 0, 1])   # total 9, band "mild", flag for item 9

Answers are the points of the chosen options, in item order. See docs/instruments.md.
"""

from openiop.instruments.model import (
    DEFAULT_SCORING,
    Band,
    CutOff,
    Flag,
    Instrument,
    InstrumentInputError,
    Item,
    Option,
    Score,
    ScoringSettings,
    Subscale,
)
from openiop.instruments.mood import URGENT_SAME_DAY_FOLLOW_UP
from openiop.instruments.scoring import (
    INSTRUMENTS,
    audit_c_from_audit,
    available_instruments,
    check_answers,
    get_instrument,
    is_enabled,
    score,
)

__all__ = [
    "DEFAULT_SCORING",
    "INSTRUMENTS",
    "URGENT_SAME_DAY_FOLLOW_UP",
    "Band",
    "CutOff",
    "Flag",
    "Instrument",
    "InstrumentInputError",
    "Item",
    "Option",
    "Score",
    "ScoringSettings",
    "Subscale",
    "audit_c_from_audit",
    "available_instruments",
    "check_answers",
    "get_instrument",
    "is_enabled",
    "score",
]
