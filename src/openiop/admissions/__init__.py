"""Admissions: from a first inquiry to an enrolled patient or a warm referral.

The pure rules live in `dsm5` (use-disorder severity), `dimensions` (the six ASAM dimensions),
`assessment` (checking what a clinician entered) and `level_of_care` (the recommendation).
"""
