"""Depression (PHQ-9), anxiety (GAD-7) and post-traumatic stress (PCL-5) screens."""

from __future__ import annotations

from openiop.instruments.model import CutOff, Flag, Instrument, Subscale, bands, items, scale

_HOW_OFTEN_2_WEEKS = scale(
    "Not at all", "Several days", "More than half the days", "Nearly every day"
)
_PFIZER_LICENCE = (
    "Developed by Drs Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues with an "
    "educational grant from Pfizer Inc. No permission is required to reproduce, translate, "
    "display or distribute. The standard items are used as published."
)

URGENT_SAME_DAY_FOLLOW_UP = "urgent_same_day_follow_up"

PHQ9 = Instrument(
    id="PHQ-9",
    name="Patient Health Questionnaire-9",
    purpose="Screens for depression and rates how severe it is.",
    time_frame="the last 2 weeks",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=items(
        (
            "Little interest or pleasure in doing things",
            "Feeling down, depressed, or hopeless",
            "Trouble falling or staying asleep, or sleeping too much",
            "Feeling tired or having little energy",
            "Poor appetite or overeating",
            "Feeling bad about yourself, or that you are a failure or have let yourself or your "
            "family down",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "Moving or speaking so slowly that other people could have noticed; or the opposite, "
            "being so fidgety or restless that you have been moving around a lot more than usual",
            "Thoughts that you would be better off dead, or of hurting yourself in some way",
        ),
        _HOW_OFTEN_2_WEEKS,
    ),
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med. 2001;16(9):606-613."
    ),
    licence=_PFIZER_LICENCE,
    bands=bands(
        (0, 4, "minimal", "Minimal"),
        (5, 9, "mild", "Mild"),
        (10, 14, "moderate", "Moderate"),
        (15, 19, "moderately_severe", "Moderately severe"),
        (20, 27, "severe", "Severe"),
    ),
    # Any answer above "not at all" to the item on thoughts of death or self-harm needs a
    # clinician the same day, whatever the total.
    flags=(
        Flag(
            URGENT_SAME_DAY_FOLLOW_UP,
            item=9,
            above=0,
            message="Item 9 (thoughts of death or self-harm) answered above 0: a clinician must "
            "follow up the same day.",
        ),
    ),
)

GAD7 = Instrument(
    id="GAD-7",
    name="Generalized Anxiety Disorder-7",
    purpose="Screens for anxiety and rates how severe it is.",
    time_frame="the last 2 weeks",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=items(
        (
            "Feeling nervous, anxious, or on edge",
            "Not being able to stop or control worrying",
            "Worrying too much about different things",
            "Trouble relaxing",
            "Being so restless that it is hard to sit still",
            "Becoming easily annoyed or irritable",
            "Feeling afraid, as if something awful might happen",
        ),
        _HOW_OFTEN_2_WEEKS,
    ),
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
    ),
    licence=_PFIZER_LICENCE,
    bands=bands(
        (0, 4, "minimal", "Minimal"),
        (5, 9, "mild", "Mild"),
        (10, 14, "moderate", "Moderate"),
        (15, 21, "severe", "Severe"),
    ),
)

# Our own short wording of each symptom; the stem asks how much it bothered the person.
_PCL5_ITEMS = (
    "Unwanted upsetting memories of the stressful experience that keep coming back",
    "Upsetting dreams about it",
    "Suddenly feeling or acting as though it were happening again",
    "Getting very upset when something reminds you of it",
    "Strong reactions in your body (racing heart, sweating, short of breath) when reminded of it",
    "Trying to push away memories, thoughts or feelings about it",
    "Keeping away from people, places, talk or things that remind you of it",
    "Gaps in your memory for important parts of it",
    "Harsh negative beliefs about yourself, other people or the world",
    "Blaming yourself or someone else for it or for what followed",
    "Strong bad feelings such as fear, horror, anger, guilt or shame",
    "Losing interest in things you used to enjoy",
    "Feeling far away or cut off from other people",
    "Finding it hard to feel good things, such as happiness or love for people close to you",
    "Being irritable, having angry outbursts or acting aggressively",
    "Taking too many risks or doing things that could harm you",
    "Being on guard, watchful, always on the lookout",
    "Being jumpy or easily startled",
    "Finding it hard to concentrate",
    "Trouble falling or staying asleep",
)

PCL5 = Instrument(
    id="PCL-5",
    name="PTSD Checklist for DSM-5",
    purpose="Screens for post-traumatic stress and rates how much the symptoms bother the person.",
    time_frame="the past month",
    stem=(
        "Thinking of a very stressful experience, how much have you been bothered in the past "
        "month by:"
    ),
    items=items(
        _PCL5_ITEMS, scale("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
    ),
    citation=(
        "Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for "
        "DSM-5 (PCL-5). National Center for PTSD; 2013. Blevins CA, Weathers FW, Davis MT, Witte "
        "TK, Domino JL. J Trauma Stress. 2015;28(6):489-498."
    ),
    licence=(
        "Made available free of charge by the US National Center for PTSD. The item wording here "
        "is our own short paraphrase; use the official form where an exact copy is required."
    ),
    # Published cut-offs range from about 31 to 33; the program chooses (ScoringSettings).
    cut_off=CutOff(
        setting="pcl5_probable_ptsd_from",
        below=("below_cut_off", "Below the probable-PTSD cut-off"),
        at_or_above=("probable_ptsd", "Probable PTSD: a diagnostic assessment is advised"),
    ),
    # The four symptom clusters of the DSM-5 diagnosis.
    subscales=(
        Subscale("intrusion", "Intrusion (cluster B)", (1, 2, 3, 4, 5)),
        Subscale("avoidance", "Avoidance (cluster C)", (6, 7)),
        Subscale("cognition_mood", "Negative thoughts and mood (cluster D)", tuple(range(8, 15))),
        Subscale("arousal", "Arousal and reactivity (cluster E)", tuple(range(15, 21))),
    ),
)
