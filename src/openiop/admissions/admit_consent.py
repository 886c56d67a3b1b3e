"""The consent to treatment a person signs on screen when admitted, in our own words.

Changing the text means a new CONSENT_VERSION: each admission stores the version and a SHA-256
of the exact text shown, so what someone agreed to can always be shown again. This consent
covers treatment only; disclosures of records under 42 CFR Part 2 need their own written
consent (the consent area).
"""

CONSENT_VERSION = "treatment-2026-11"

CONSENT_PARAGRAPHS = (
    "I ask to take part in the intensive outpatient program. I understand it means group "
    "treatment on set days each week, a weekly individual session with my counselor, a weekly "
    "visit with a physician, and drug and alcohol screening as part of my care.",
    "The care team has explained why this level of care was recommended for me, what other "
    "options there are, and that I can ask questions about my treatment at any time.",
    "I understand that treatment has benefits and risks, that no result is promised, and that "
    "I may stop treatment at any time by telling my counselor. Stopping does not affect my "
    "right to be referred elsewhere.",
    "If I am in danger of harming myself or someone else, staff will act to keep people safe, "
    "which can include calling 911 or a crisis team. In a crisis I can call or text 988.",
    "My records are kept private. They are shared outside the program only with my written "
    "consent or where the law requires it, and I can ask who has looked at my record.",
)

CONSENT_TEXT = "\n\n".join(CONSENT_PARAGRAPHS)
