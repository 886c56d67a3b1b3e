"""Every setting the app reads is documented for operators, so the table cannot drift again."""

from __future__ import annotations

import re
from pathlib import Path

from openiop.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "operators.md"


def documented_variables() -> set[str]:
    """Variables named as the first cell of a row in docs/operators.md's settings table."""
    rows = re.findall(r"^\| `(OPENIOP_[A-Z0-9_]+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    return set(rows)


def test_every_setting_has_a_row_in_the_operator_docs():
    expected = {f"OPENIOP_{name.upper()}" for name in Settings.model_fields}
    missing = sorted(expected - documented_variables())
    assert not missing, f"add these settings to docs/operators.md: {missing}"


def test_the_table_names_no_setting_the_app_does_not_read():
    expected = {f"OPENIOP_{name.upper()}" for name in Settings.model_fields}
    test_only = {"OPENIOP_TEST_POSTGRES_ADMIN"}  # read by the test suite, listed apart
    unknown = sorted(documented_variables() - expected - test_only)
    assert not unknown, f"docs/operators.md names settings that do not exist: {unknown}"


def test_the_production_example_sets_the_notes_key():
    example = DOC.read_text(encoding="utf-8").split("## Running on PostgreSQL", 1)[1]
    assert "OPENIOP_NOTES_KEY=" in example.split("## ", 1)[0]
