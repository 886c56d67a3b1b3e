"""The six ASAM assessment dimensions, a 0-4 rating scale in our own words, and suggested
ratings drawn from the instruments so a clinician starts from the numbers, not a blank form.

The dimension names are the public ones; the descriptors and the suggestion rules are ours.
A suggestion is only a starting point: the clinician rates each dimension and writes a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openiop.instruments import URGENT_SAME_DAY_FOLLOW_UP, Score

DIMENSIONS: dict[str, str] = {
    "1": "Acute intoxication and/or withdrawal potential",
    "2": "Biomedical conditions and complications",
    "3": "Emotional, behavioral or cognitive conditions and complications",
    "4": "Readiness to change",
    "5": "Relapse, continued use or continued problem potential",
    "6": "Recovery/living environment",
}

# What we ask clinicians to think of each dimension (our own words).
DIMENSION_PROMPTS: dict[str, str] = {
    "1": "Is the person intoxicated now, or at risk of withdrawal that needs medical watching?",
    "2": "Are there physical health problems that need care or limit treatment?",
    "3": "Are there mental-health, behaviour or thinking problems, and how risky are they?",
    "4": "How ready is the person to change, and how engaged in treatment?",
    "5": "How likely is use to continue or return without more support?",
    "6": "Do home, work, family and friends support recovery or put it at risk?",
}

RATINGS: dict[int, str] = {
    0: "0 – no current problem in this area",
    1: "1 – mild: easy to handle alongside treatment",
    2: "2 – moderate: needs attention in the treatment plan",
    3: "3 – serious: needs a more structured or specialised setting",
    4: "4 – severe: needs immediate action",
}


@dataclass(frozen=True)
class Suggestion:
    dimension: str
    rating: int
    because: str


def suggest_ratings(
    scores: Mapping[str, Score], home_environment: str | None = None
) -> dict[str, Suggestion]:
    """The highest rating each instrument points to, per dimension; only dimensions with data."""
    candidates = [
        *_withdrawal(scores),
        *_mental_health(scores),
        *_environment(home_environment),
    ]
    best: dict[str, Suggestion] = {}
    for suggestion in candidates:
        kept = best.get(suggestion.dimension)
        if kept is None or suggestion.rating > kept.rating:
            best[suggestion.dimension] = suggestion
    return best


def _stepped(total: int, steps: tuple[int, ...]) -> int:
    """Rating = how many of the ascending `steps` the total reaches."""
    return sum(total >= step for step in steps)


def _withdrawal(scores: Mapping[str, Score]) -> list[Suggestion]:
    found = []
    # Steps line up with the bands: CIWA-Ar 10 and COWS 13 are where outpatient care stops.
    for instrument, steps in (("CIWA-Ar", (1, 5, 10, 16)), ("COWS", (1, 5, 13, 25))):
        score = scores.get(instrument)
        if score is not None and score.total is not None:
            found.append(
                Suggestion("1", _stepped(score.total, steps), f"{instrument} total {score.total}")
            )
    return found


_MOOD_STEPS = {"PHQ-9": (5, 10, 20), "GAD-7": (5, 10, 15)}


def _mental_health(scores: Mapping[str, Score]) -> list[Suggestion]:
    found = []
    for instrument, steps in _MOOD_STEPS.items():
        score = scores.get(instrument)
        if score is None or score.total is None:
            continue
        if URGENT_SAME_DAY_FOLLOW_UP in score.flags:
            found.append(Suggestion("3", 4, f"{instrument} item 9 above 0: same-day safety check"))
        else:
            found.append(
                Suggestion("3", _stepped(score.total, steps), f"{instrument} total {score.total}")
            )
    pcl5 = scores.get("PCL-5")
    if pcl5 is not None and pcl5.total is not None and pcl5.band is not None:
        rating = 3 if pcl5.band.code == "probable_ptsd" else int(pcl5.total > 0)
        found.append(Suggestion("3", rating, f"PCL-5 total {pcl5.total} ({pcl5.band.label})"))
    return found


_HOME_RATINGS = {"safe_home": 0, "sober_living": 0, "unsafe": 3}


def _environment(home_environment: str | None) -> list[Suggestion]:
    if home_environment not in _HOME_RATINGS:
        return []
    label = home_environment.replace("_", " ")
    return [Suggestion("6", _HOME_RATINGS[home_environment], f"home environment: {label}")]
