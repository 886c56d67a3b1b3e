"""Checks for identifiers with a public format (NPI, US phone, ZIP)."""

from __future__ import annotations

import re


def npi_is_valid(npi: str) -> bool:
    """NPI: 10 digits whose Luhn check digit is computed with the 80840 prefix (CMS rule)."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def npi_with_check_digit(first_nine: str) -> str:
    """Complete a 9-digit stem with its check digit (used by the demo generator)."""
    for check in range(10):
        candidate = f"{first_nine}{check}"
        if npi_is_valid(candidate):
            return candidate
    raise ValueError(first_nine)


def normalize_us_phone(raw: str) -> str | None:
    """Return (NNN) NNN-NNNN, or None when the input is not a 10-digit US number."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
