"""The signed discharge summary as a PDF (fpdf2). Built from the stored snapshot only, so the
PDF of a signed summary is the same whenever it is exported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# The built-in PDF fonts cover Latin-1 only; swap the typographic characters we write.
_PLAIN = str.maketrans(
    {"→": "->", "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "·": "-", "…": "..."}
)


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def render(
    *,
    heading: Mapping[str, str],
    sections: Sequence[tuple[str, list[str]]],
    narrative: Sequence[tuple[str, str]],
    signature: str,
) -> bytes:
    from fpdf import FPDF  # imported here so the rest of the app runs without it

    pdf = FPDF(format="Letter")
    pdf.set_title(latin1(heading["title"]))
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1(heading["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label in ("patient", "mrn", "date_of_birth", "discharge_type", "referral_to"):
        if heading.get(label):
            _line(pdf, f"{label.replace('_', ' ').capitalize()}: {heading[label]}")
    for title, lines in sections:
        _section(pdf, title, lines)
    for title, text in narrative:
        _section(pdf, title, text.splitlines() or ["(none)"])
    _section(pdf, "Signature", [signature])
    return bytes(pdf.output())


def _section(pdf: Any, title: str, lines: Sequence[str]) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, title)
    pdf.set_font("Helvetica", "", 10)
    for line in lines:
        _line(pdf, line)


def _line(pdf: Any, text: str) -> None:
    pdf.multi_cell(0, 5.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
