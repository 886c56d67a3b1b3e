"""Clinician-rated withdrawal scales: CIWA-Ar (alcohol) and COWS (opioids).

Both are scored by an observer at the bedside. The answer descriptors are our own short
wording of each rating; clinicians should be trained on the published scales.
"""

from __future__ import annotations

from openiop.instruments.model import Instrument, Item, Option, bands, options


def _anchored(anchors: dict[int, str], top: int = 7) -> tuple[Option, ...]:
    """A 0..top rating described at a few points; ratings in between sit between those."""
    return tuple(
        Option(p, anchors.get(p, f"{p} (between the descriptions either side)"))
        for p in range(top + 1)
    )


_HALLUCINATION_SCALE = (
    "None",
    "Very mild",
    "Mild",
    "Moderate",
    "Moderately severe hallucinations",
    "Severe hallucinations",
    "Extremely severe hallucinations",
    "Continuous hallucinations",
)


def _disturbance(text: str) -> Item:
    return Item(text, tuple(Option(p, label) for p, label in enumerate(_HALLUCINATION_SCALE)))


CIWA_AR = Instrument(
    id="CIWA-Ar",
    name="Clinical Institute Withdrawal Assessment for Alcohol, revised",
    purpose="Rates how severe alcohol withdrawal is, to decide whether it can be managed safely.",
    time_frame="now",
    stem="Observe and ask; rate each sign as it is at the time of the assessment.",
    rated_by="clinician",
    items=(
        Item(
            "Nausea and vomiting",
            _anchored(
                {
                    0: "None",
                    1: "Slight nausea, no vomiting",
                    4: "Nausea on and off, with retching",
                    7: "Constant nausea, frequent retching and vomiting",
                }
            ),
        ),
        Item(
            "Tremor (arms held out, fingers spread)",
            _anchored(
                {
                    0: "None",
                    1: "Felt at the fingertips but not seen",
                    4: "Seen with arms held out",
                    7: "Severe, even with arms at rest",
                }
            ),
        ),
        Item(
            "Sudden sweats",
            _anchored(
                {
                    0: "None",
                    1: "Palms slightly moist",
                    4: "Sweat beading on the forehead",
                    7: "Soaked with sweat",
                }
            ),
        ),
        Item(
            "Anxiety",
            _anchored(
                {0: "Calm", 1: "A little anxious", 4: "Clearly anxious or guarded", 7: "Panic"}
            ),
        ),
        Item(
            "Agitation",
            _anchored(
                {
                    0: "Normal activity",
                    1: "Slightly more active than usual",
                    4: "Fidgety and restless",
                    7: "Pacing or thrashing about the whole time",
                }
            ),
        ),
        _disturbance("Touch disturbances (itching, pins and needles, burning, numbness, crawling)"),
        _disturbance("Hearing disturbances (sounds harsh or frightening, hearing things)"),
        _disturbance("Seeing disturbances (light too bright, colours odd, seeing things)"),
        Item(
            "Headache or fullness in the head",
            tuple(
                Option(p, label)
                for p, label in enumerate(
                    (
                        "Not present",
                        "Very mild",
                        "Mild",
                        "Moderate",
                        "Moderately severe",
                        "Severe",
                        "Very severe",
                        "Extremely severe",
                    )
                )
            ),
        ),
        Item(
            "Orientation and clouded thinking (ask the date and to add numbers in a series)",
            options(
                (0, "Oriented; can add in a series"),
                (1, "Cannot add in a series, or unsure of the date"),
                (2, "Date wrong by up to 2 days"),
                (3, "Date wrong by more than 2 days"),
                (4, "Unsure of place or person"),
            ),
        ),
    ),
    citation=(
        "Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. Assessment of alcohol "
        "withdrawal: the revised Clinical Institute Withdrawal Assessment for Alcohol scale "
        "(CIWA-Ar). Br J Addict. 1989;84(11):1353-1357."
    ),
    licence=(
        "The published scale states it is not copyrighted and may be reproduced freely. The "
        "answer descriptors here are our own short wording."
    ),
    # Below 10 the authors found extra medication usually unneeded; 16 and above is severe.
    bands=bands(
        (0, 9, "minimal_to_mild", "Minimal to mild withdrawal"),
        (10, 15, "moderate", "Moderate withdrawal"),
        (16, 67, "severe", "Severe withdrawal"),
    ),
)

COWS = Instrument(
    id="COWS",
    name="Clinical Opiate Withdrawal Scale",
    purpose="Rates how severe opioid withdrawal is, to guide treatment and when to start it.",
    time_frame="now",
    stem="Observe and ask; rate each sign over the time of the assessment.",
    rated_by="clinician",
    items=(
        Item(
            "Resting pulse (after sitting or lying for one minute)",
            options((0, "80 or below"), (1, "81 to 100"), (2, "101 to 120"), (4, "Above 120")),
        ),
        Item(
            "Sweating over the past half hour, not explained by room temperature or activity",
            options(
                (0, "No chills or flushing"),
                (1, "Reports chills or flushing"),
                (2, "Face flushed or visibly moist"),
                (3, "Beads of sweat on brow or face"),
                (4, "Sweat streaming off the face"),
            ),
        ),
        Item(
            "Restlessness during the assessment",
            options(
                (0, "Sits still"),
                (1, "Finds it hard to sit still but manages"),
                (3, "Shifts often or moves arms and legs a lot"),
                (5, "Cannot sit still for more than a few seconds"),
            ),
        ),
        Item(
            "Pupil size",
            options(
                (0, "Pinned or normal for the light"),
                (1, "Possibly larger than normal"),
                (2, "Moderately dilated"),
                (5, "So dilated only the rim of the iris shows"),
            ),
        ),
        Item(
            "Bone or joint aches (new since withdrawal began)",
            options(
                (0, "None"),
                (1, "Mild general discomfort"),
                (2, "Severe aching of joints or muscles"),
                (4, "Rubbing joints or muscles, cannot sit still for the pain"),
            ),
        ),
        Item(
            "Runny nose or tearing (not from a cold or allergies)",
            options(
                (0, "None"),
                (1, "Nose stuffy or eyes unusually moist"),
                (2, "Nose running or eyes tearing"),
                (4, "Nose running constantly or tears streaming"),
            ),
        ),
        Item(
            "Stomach and bowel upset over the past half hour",
            options(
                (0, "None"),
                (1, "Stomach cramps"),
                (2, "Nausea or loose stool"),
                (3, "Vomiting or diarrhoea"),
                (5, "Several bouts of vomiting or diarrhoea"),
            ),
        ),
        Item(
            "Tremor (hands held out)",
            options(
                (0, "None"),
                (1, "Felt but not seen"),
                (2, "Slight tremor seen"),
                (4, "Gross tremor or muscle twitching"),
            ),
        ),
        Item(
            "Yawning during the assessment",
            options(
                (0, "None"),
                (1, "Once or twice"),
                (2, "Three or more times"),
                (4, "Several times a minute"),
            ),
        ),
        Item(
            "Anxiety or irritability",
            options(
                (0, "None"),
                (1, "Reports growing irritability or anxiety"),
                (2, "Clearly irritable or anxious"),
                (4, "So irritable or anxious that taking part is hard"),
            ),
        ),
        Item(
            "Gooseflesh skin",
            options(
                (0, "Skin smooth"),
                (3, "Gooseflesh can be felt, or hairs stand up on the arms"),
                (5, "Prominent gooseflesh"),
            ),
        ),
    ),
    citation=(
        "Wesson DR, Ling W. The Clinical Opiate Withdrawal Scale (COWS). J Psychoactive Drugs. "
        "2003;35(2):253-259."
    ),
    licence=(
        "Published scale, distributed free for clinical use by US public-health agencies. The "
        "answer descriptors here are our own short wording."
    ),
    # The authors' severity bands; below 5 is not graded by them.
    bands=bands(
        (0, 4, "none_or_minimal", "No or minimal withdrawal"),
        (5, 12, "mild", "Mild withdrawal"),
        (13, 24, "moderate", "Moderate withdrawal"),
        (25, 36, "moderately_severe", "Moderately severe withdrawal"),
        (37, 48, "severe", "Severe withdrawal"),
    ),
)
