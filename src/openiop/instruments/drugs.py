"""DAST-10, a ten-question drug-use screen. Free for non-commercial use only, so it is offered
only when the program turns on the licence setting (ScoringSettings.dast10_licensed)."""

from __future__ import annotations

from openiop.instruments.model import Instrument, Item, bands, options

_YES_SCORES = options((0, "No"), (1, "Yes"))
_NO_SCORES = options((1, "No"), (0, "Yes"))  # the one question where "no" points to a problem

_QUESTIONS = (
    ("Have you used drugs for reasons other than medical ones?", _YES_SCORES),
    ("Have you used more than one drug on the same occasion?", _YES_SCORES),
    ("Can you always stop using drugs when you want to?", _NO_SCORES),
    ("Have you had blackouts or flashbacks from drug use?", _YES_SCORES),
    ("Have you felt bad or guilty about your drug use?", _YES_SCORES),
    ("Has your partner or family complained about your drug use?", _YES_SCORES),
    ("Have you neglected your family because of drug use?", _YES_SCORES),
    ("Have you done something illegal to get drugs?", _YES_SCORES),
    ("Have you had withdrawal symptoms or felt sick when you stopped using drugs?", _YES_SCORES),
    (
        "Have you had medical problems from drug use (such as memory loss, hepatitis, seizures "
        "or bleeding)?",
        _YES_SCORES,
    ),
)

DAST10 = Instrument(
    id="DAST-10",
    name="Drug Abuse Screening Test, 10-item version",
    purpose="Screens for problems from drug use other than alcohol.",
    time_frame="the past 12 months",
    stem="Thinking about the past 12 months, not counting alcohol:",
    items=tuple(Item(text, answer_options) for text, answer_options in _QUESTIONS),
    licence_setting="dast10_licensed",
    citation="Skinner HA. The Drug Abuse Screening Test. Addict Behav. 1982;7(4):363-371.",
    licence=(
        "Copyright Harvey A. Skinner. Free for non-commercial clinical and research use only; "
        "commercial use needs the copyright holder's permission. Off unless the program's "
        "DAST-10 licence setting is on. The item wording here is our own paraphrase."
    ),
    bands=bands(
        (0, 0, "none", "No problems reported"),
        (1, 2, "low", "Low level"),
        (3, 5, "moderate", "Moderate level"),
        (6, 8, "substantial", "Substantial level"),
        (9, 10, "severe", "Severe level"),
    ),
)
