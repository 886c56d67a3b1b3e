"""Questionnaires as plain data: items, the points each answer is worth, bands, flags, citation.

An answer is always recorded as the points of the chosen option, so scoring is arithmetic on
a list of integers and a page or an API only has to show each item's options. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openiop.kit.errors import ValidationFailed


class InstrumentInputError(ValidationFailed):
    """Answers that cannot be scored. `item` is the 1-based item number, None for the whole form.

    The message always names the instrument (and the item). `field_errors` uses the names a
    questionnaire form would give its inputs: "item_3" for one answer, "answers" for the list,
    "instrument" when the instrument itself is unknown or turned off.
    """

    def __init__(
        self, instrument: str, item: int | None, message: str, *, field: str | None = None
    ) -> None:
        where = field or ("answers" if item is None else f"item_{item}")
        super().__init__(message, field_errors={where: message})
        self.instrument = instrument
        self.item = item


@dataclass(frozen=True)
class Option:
    points: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question. `label` is the number printed on the form when it differs from the position."""

    text: str
    options: tuple[Option, ...]
    label: str | None = None

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(sorted({o.points for o in self.options}))

    def describe_allowed(self) -> str:
        """Allowed points as people read them: 0–3 for a run, "0, 2 or 4" for a set."""
        points = self.allowed
        if points == tuple(range(points[0], points[-1] + 1)):
            return f"{points[0]}–{points[-1]}"
        return ", ".join(str(p) for p in points[:-1]) + f" or {points[-1]}"


@dataclass(frozen=True)
class Band:
    """Totals from `low` to `high` inclusive share a meaning."""

    low: int
    high: int
    code: str
    label: str

    def contains(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class CutOff:
    """Two bands split at a threshold that a program may set: `setting` names a ScoringSettings
    field holding the lowest total of the upper band."""

    setting: str
    below: tuple[str, str]  # (code, label)
    at_or_above: tuple[str, str]

    def bands(self, threshold: int, max_total: int) -> tuple[Band, Band]:
        return (
            Band(0, threshold - 1, *self.below),
            Band(threshold, max_total, *self.at_or_above),
        )


@dataclass(frozen=True)
class Flag:
    """Raised when item `item` (1-based) is answered with more than `above` points."""

    code: str
    item: int
    above: int
    message: str


@dataclass(frozen=True)
class Subscale:
    code: str
    label: str
    items: tuple[int, ...]  # 1-based positions


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    purpose: str
    time_frame: str
    stem: str
    items: tuple[Item, ...]
    citation: str
    licence: str
    rated_by: str = "self"  # "self" or "clinician"
    has_total: bool = True
    bands: tuple[Band, ...] = ()
    cut_off: CutOff | None = None
    subscales: tuple[Subscale, ...] = ()
    flags: tuple[Flag, ...] = ()
    licence_setting: str | None = None  # a ScoringSettings flag that must be on to use it

    @property
    def max_total(self) -> int:
        return sum(max(item.allowed) for item in self.items)

    def bands_for(self, settings: ScoringSettings) -> tuple[Band, ...]:
        if self.cut_off is None:
            return self.bands
        return self.cut_off.bands(getattr(settings, self.cut_off.setting), self.max_total)

    def item_label(self, number: int) -> str:
        """How messages name an item: by position, plus the printed number where it differs
        (BAM answer 9 is printed as 7C)."""
        printed = self.items[number - 1].label
        same = printed is None or printed == str(number)
        return f"item {number}" if same else f"item {number} ({printed})"


@dataclass(frozen=True)
class ScoringSettings:
    """Program-level choices about interpretation; the items and arithmetic never change."""

    pcl5_probable_ptsd_from: int = 33
    audit_c_positive_from: int = 4  # many programs use 3 for women
    dast10_licensed: bool = False


DEFAULT_SCORING = ScoringSettings()


@dataclass(frozen=True)
class Score:
    instrument: str
    answers: tuple[int, ...]
    total: int | None
    band: Band | None
    subscales: dict[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape the API returns."""
        return {
            "instrument": self.instrument,
            "total": self.total,
            "band": None
            if self.band is None
            else {"code": self.band.code, "label": self.band.label},
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
        }


# ---- builders: most instruments share one answer scale for every item ---------------------


def scale(*labels: str, start: int = 0) -> tuple[Option, ...]:
    """Options worth start, start+1, ... in the order given."""
    return tuple(Option(start + i, label) for i, label in enumerate(labels))


def options(*pairs: tuple[int, str]) -> tuple[Option, ...]:
    return tuple(Option(points, label) for points, label in pairs)


def items(texts: Sequence[str], answer_options: tuple[Option, ...]) -> tuple[Item, ...]:
    return tuple(Item(text, answer_options) for text in texts)


def bands(*rows: tuple[int, int, str, str]) -> tuple[Band, ...]:
    return tuple(Band(low, high, code, label) for low, high, code, label in rows)
