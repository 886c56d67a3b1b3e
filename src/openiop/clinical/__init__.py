"""Clinical records of an episode of care: treatment plans, measurement-based care, drug
screens and discharge. See docs/clinical.md."""
