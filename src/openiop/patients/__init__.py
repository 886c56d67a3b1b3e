"""The patient registry: demographics, weekly commitments and enrollments (episodes of care)."""
