"""Brief Addiction Monitor (BAM): progress in treatment as use, risk and protective subscales.

The BAM has no total: its authors ask clinicians to read the items and the three subscales.
Item 7 of the printed form has seven parts (7A-7G, days of use per drug class); they are
answers 7-13 here, so the printed item 8 is answer 14, and so on. The wording is our own.
"""

from __future__ import annotations

from openiop.instruments.model import Instrument, Item, Subscale, options, scale

_DAYS = scale("0 days", "1 to 3 days", "4 to 8 days", "9 to 15 days", "16 to 30 days")
_HOW_MUCH = scale("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")
_HEALTH = scale("Excellent", "Very good", "Good", "Fair", "Poor")


def _days(text: str, label: str) -> Item:
    return Item(f"On how many days {text}?", _DAYS, label=label)


_DRUG_CLASSES = (
    ("7A", "cannabis"),
    ("7B", "sedatives or tranquilizers"),
    ("7C", "cocaine or crack"),
    ("7D", "other stimulants, such as methamphetamine"),
    ("7E", "opioids, such as heroin, fentanyl or pain pills"),
    ("7F", "inhalants"),
    ("7G", "any other drug"),
)

_ITEMS = (
    Item("How has your physical health been?", _HEALTH, label="1"),
    _days("did you have trouble getting to sleep or staying asleep", "2"),
    _days("did you feel down, anxious, angry or very upset for most of the day", "3"),
    _days("did you drink any alcohol", "4"),
    _days("did you drink heavily (5 or more drinks for men, 4 or more for women)", "5"),
    _days("did you use street drugs or misuse prescription medicine", "6"),
    *(_days(f"did you use {drug}", label) for label, drug in _DRUG_CLASSES),
    Item("How much have cravings or urges to drink or use bothered you?", _HOW_MUCH, label="8"),
    Item(
        "How sure are you that you can stay completely off alcohol and drugs over the next 30 days?",
        _HOW_MUCH,
        label="9",
    ),
    _days("did you go to mutual-help meetings (such as AA, NA or SMART Recovery)", "10"),
    _days("were you in places or with people that raise your risk of drinking or using", "11"),
    Item("How much does your faith or spirituality support your recovery?", _HOW_MUCH, label="12"),
    _days("did you spend much of the day at work, school or volunteering", "13"),
    Item(
        "Do you have enough legal income for housing, transport, food and clothing for yourself "
        "and those who depend on you?",
        options((0, "No"), (4, "Yes")),
        label="14",
    ),
    Item(
        "How much have arguments or trouble getting along with family or friends bothered you?",
        _HOW_MUCH,
        label="15",
    ),
    _days("were you in touch with family or friends who support your recovery", "16"),
    Item(
        "How satisfied are you with your progress towards your recovery goals?",
        _HOW_MUCH,
        label="17",
    ),
)

BAM = Instrument(
    id="BAM",
    name="Brief Addiction Monitor",
    purpose="Follows progress in treatment: recent use, risks of relapse, and what protects recovery.",
    time_frame="the past 30 days",
    stem="Thinking about the past 30 days:",
    items=_ITEMS,
    has_total=False,
    # Positions in the answer list (see the module note on item 7).
    subscales=(
        Subscale("use", "Use (printed items 4, 5, 6)", (4, 5, 6)),
        Subscale("risk", "Risk factors (printed items 1, 2, 3, 8, 11, 15)", (1, 2, 3, 14, 17, 21)),
        Subscale(
            "protective",
            "Protective factors (printed items 9, 10, 12, 13, 14, 16)",
            (15, 16, 18, 19, 20, 22),
        ),
    ),
    citation=(
        "Cacciola JS, Alterman AI, DePhilippis D, et al. Development and initial evaluation of "
        "the Brief Addiction Monitor (BAM). J Subst Abuse Treat. 2013;44(3):256-263."
    ),
    licence=(
        "Developed for the US Department of Veterans Affairs and free to use. The item wording "
        "here is our own paraphrase."
    ),
)
