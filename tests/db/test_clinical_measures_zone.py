"""Measures are due on the local date at the patient's site, not in the server's zone: at the
frozen instant the site's date and the default zone's (America/Los_Angeles) date differ, one
site east of it (already tomorrow) and one west (still yesterday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from openiop.clinical import access, measures_service
from openiop.kit import clock
from openiop.kit.errors import ValidationFailed
from openiop.models import ClinicalTask
from tests.db.support_clinical import as_persona
from tests.personas import build_world

# (site zone, instant, the site's date, the server's date, PHQ-9 state, BAM state)
# PHQ-9 was last given Nov 2 (due Nov 16), BAM Nov 8 (due Nov 15).
CASES = [
    pytest.param(
        "America/New_York",
        datetime(2026, 11, 16, 6, 0, tzinfo=UTC),  # 1:00 Nov 16 in New York, 22:00 Nov 15 in LA
        date(2026, 11, 16),
        date(2026, 11, 15),
        "due",
        "overdue",
        id="east",
    ),
    pytest.param(
        "Pacific/Honolulu",
        datetime(2026, 11, 16, 9, 0, tzinfo=UTC),  # 23:00 Nov 15 in Honolulu, 1:00 Nov 16 in LA
        date(2026, 11, 15),
        date(2026, 11, 16),
        "upcoming",
        "due",
        id="west",
    ),
]


@pytest.fixture
def world(db):
    clock.freeze(datetime(2026, 11, 9, 18, 0, tzinfo=UTC))
    world = build_world(db)
    for instrument, items, on in (("PHQ-9", 9, "2026-11-02"), ("BAM", 23, "2026-11-08")):
        _give(db, world, instrument, items, on)
    return world


def _give(db, world, instrument, items, on=None):  # type: ignore[no-untyped-def]
    data = {f"item_{n}": "0" for n in range(1, items + 1)}
    if on is not None:
        data["administered_on"] = on
    return measures_service.give(
        db,
        actor=as_persona(db, world, "care_counselor"),
        patient_id=world.patient.id,
        instrument=instrument,
        data=data,
    )


def _at_site(db, world, zone: str, instant: datetime, server_today: date) -> None:
    world.site_a.time_zone = zone
    db.flush()
    clock.freeze(instant)
    assert access.today() == server_today  # the server's zone really says another date


@pytest.mark.parametrize(("zone", "instant", "site_today", "server_today", "phq", "bam"), CASES)
def test_the_chart_says_due_by_the_sites_date(
    db, world, zone, instant, site_today, server_today, phq, bam
):
    _at_site(db, world, zone, instant, server_today)
    chart = measures_service.measures_chart(
        db, actor=as_persona(db, world, "care_counselor"), patient_id=world.patient.id
    )
    states = {d.instrument: (d.due_on, d.state) for d in chart.due}
    assert states["PHQ-9"] == (date(2026, 11, 16), phq)
    assert states["BAM"] == (date(2026, 11, 15), bam)
    assert states["GAD-7"] == (date(2026, 11, 2), "overdue")  # never given: due at admission


@pytest.mark.parametrize(("zone", "instant", "site_today", "server_today", "phq", "bam"), CASES)
def test_the_sites_due_list_uses_the_sites_date(
    db, world, zone, instant, site_today, server_today, phq, bam
):
    _at_site(db, world, zone, instant, server_today)
    rows = measures_service.due_list(
        db, actor=as_persona(db, world, "director"), location_id=world.site_a.id
    )
    [row] = rows
    expected = {("PHQ-9", phq), ("BAM", bam), ("GAD-7", "overdue")}
    assert {(d.instrument, d.state) for d in row.due} == {e for e in expected if e[1] != "upcoming"}


@pytest.mark.parametrize(("zone", "instant", "site_today", "server_today", "phq", "bam"), CASES)
def test_giving_a_measure_dates_it_by_the_sites_today(
    db, world, zone, instant, site_today, server_today, phq, bam
):
    _at_site(db, world, zone, instant, server_today)
    given = _give(db, world, "GAD-7", 7)
    assert given.administered_on == site_today
    with pytest.raises(ValidationFailed) as error:
        _give(db, world, "GAD-7", 7, (site_today + timedelta(days=1)).isoformat())
    assert list(error.value.field_errors) == ["administered_on"]


def test_the_urgent_task_is_due_on_the_sites_date(db, world):
    zone, instant, site_today, server_today = CASES[0].values[:4]
    _at_site(db, world, zone, instant, server_today)
    data = {f"item_{n}": "0" for n in range(1, 10)} | {"item_9": "1"}
    given = measures_service.give(
        db,
        actor=as_persona(db, world, "care_counselor"),
        patient_id=world.patient.id,
        instrument="PHQ-9",
        data=data,
    )
    task = db.get(ClinicalTask, given.urgent_task_id)
    assert task is not None and task.due_date == site_today
