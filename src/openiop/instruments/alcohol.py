"""AUDIT and its first three questions, AUDIT-C (World Health Organization; free to use)."""

from __future__ import annotations

from openiop.instruments.model import (
    CutOff,
    Instrument,
    Item,
    Subscale,
    bands,
    options,
    scale,
)

_HOW_OFTEN = scale("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily")
_INJURY_OR_CONCERN = options(
    (0, "No"), (2, "Yes, but not in the last year"), (4, "Yes, during the last year")
)

_CONSUMPTION = (
    Item(
        "How often do you have a drink containing alcohol?",
        scale(
            "Never",
            "Monthly or less",
            "2 to 4 times a month",
            "2 to 3 times a week",
            "4 or more times a week",
        ),
    ),
    Item(
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        scale("1 or 2", "3 or 4", "5 or 6", "7, 8 or 9", "10 or more"),
    ),
    Item("How often do you have six or more drinks on one occasion?", _HOW_OFTEN),
)

_LAST_YEAR = "How often during the last year have you "
_AUDIT_ITEMS = _CONSUMPTION + (
    Item(
        _LAST_YEAR + "found that you were not able to stop drinking once you had started?",
        _HOW_OFTEN,
    ),
    Item(
        _LAST_YEAR + "failed to do what was normally expected from you because of drinking?",
        _HOW_OFTEN,
    ),
    Item(
        _LAST_YEAR
        + "needed a first drink in the morning to get yourself going after a heavy drinking session?",
        _HOW_OFTEN,
    ),
    Item(_LAST_YEAR + "had a feeling of guilt or remorse after drinking?", _HOW_OFTEN),
    Item(
        _LAST_YEAR
        + "been unable to remember what happened the night before because you had been drinking?",
        _HOW_OFTEN,
    ),
    Item("Have you or someone else been injured as a result of your drinking?", _INJURY_OR_CONCERN),
    Item(
        "Has a relative or friend or a doctor or another health worker been concerned about your "
        "drinking or suggested you cut down?",
        _INJURY_OR_CONCERN,
    ),
)

_WHO_CITATION = (
    "Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders "
    "Identification Test. Guidelines for Use in Primary Care. 2nd ed. Geneva: World Health "
    "Organization; 2001."
)
_WHO_LICENCE = (
    "Published by the World Health Organization for free use; cite the source. The standard "
    "items are used as published."
)

AUDIT = Instrument(
    id="AUDIT",
    name="Alcohol Use Disorders Identification Test",
    purpose="Screens for hazardous and harmful drinking and possible alcohol dependence.",
    time_frame="the last year",
    stem="Please answer about your drinking of alcohol.",
    items=_AUDIT_ITEMS,
    citation=_WHO_CITATION,
    licence=_WHO_LICENCE,
    # The WHO guide's four risk zones.
    bands=bands(
        (0, 7, "zone_1", "Zone I: lower risk"),
        (8, 15, "zone_2", "Zone II: hazardous drinking"),
        (16, 19, "zone_3", "Zone III: harmful drinking"),
        (20, 40, "zone_4", "Zone IV: possible dependence"),
    ),
    # The WHO guide's three domains; "consumption" is the AUDIT-C score.
    subscales=(
        Subscale("consumption", "Alcohol consumption (AUDIT-C)", (1, 2, 3)),
        Subscale("dependence", "Signs of dependence", (4, 5, 6)),
        Subscale("harm", "Alcohol-related harm", (7, 8, 9, 10)),
    ),
)

AUDIT_C = Instrument(
    id="AUDIT-C",
    name="AUDIT-Consumption (first three AUDIT questions)",
    purpose="A short alcohol screen: how often, how much, and how often heavy drinking.",
    time_frame="the last year",
    stem="Please answer about your drinking of alcohol.",
    items=_CONSUMPTION,
    citation=(
        "Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption "
        "questions (AUDIT-C). Arch Intern Med. 1998;158(16):1789-1795. " + _WHO_CITATION
    ),
    licence=_WHO_LICENCE,
    cut_off=CutOff(
        setting="audit_c_positive_from",
        below=("negative", "Below the screening cut-off"),
        at_or_above=("positive", "Positive screen: assess further"),
    ),
)
