"""Instance and plan files: round trips, and bad input refused with the item named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openiop.scheduling.instances import generate_instance
from openiop.scheduling.plan_json import parse_plans, plans_doc
from openiop.scheduling.problem import InstanceError
from openiop.scheduling.problem_json import instance_doc, parse_instance
from openiop.scheduling.solver import solve_file
from tests.unit.test_scheduling_support import FAST, hours, patient, solved, week

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_an_instance_survives_a_trip_through_json():
    problems = parse_instance(generate_instance(12, 2, seed=5))
    again = parse_instance(json.loads(json.dumps(instance_doc(problems))))
    assert again == problems
    assert [p.location_id for p in again] == ["L1", "L2"]


def test_a_plan_survives_a_trip_through_json():
    doc = week(patients=[patient(needs=["individual", "physician"], telehealth_ok=True)])
    _problem, plan = solved(doc, FAST)
    [again] = parse_plans(json.loads(json.dumps(plans_doc([plan]))))
    assert again == plan


def test_solve_file_writes_every_appointment_and_the_figures(tmp_path):
    source = tmp_path / "week.json"
    source.write_text(json.dumps(week(patients=[patient(needs=["individual", "physician"])])))
    out = tmp_path / "plan.json"
    doc = solve_file(source, out, time_limit=5)
    written = json.loads(out.read_text())
    assert written == doc
    [plan] = written["plans"]
    assert written["summary"]["placed"] == 2 and written["summary"]["unplaced"] == 0
    assert {a["kind"] for a in plan["appointments"]} == {"individual", "physician"}
    first = plan["appointments"][0]
    assert first["start"].startswith("2026-03-0") and first["mode"] in {"in_person", "telehealth"}


def refused(doc) -> InstanceError:
    with pytest.raises(InstanceError) as caught:
        parse_instance(doc)
    return caught.value


def test_a_commitment_that_ends_before_it_starts_is_named():
    bad = [hours(["tue"], "17:00", "09:00", "Work")]
    error = refused(week(patients=[patient("P9", commitments=bad)]))
    assert "patient 'P9', commitment 'Work'" in error.message
    assert "ends (09:00) at or before it starts (17:00)" in error.message
    assert error.item == "locations[0].patients[0].commitments[0]"


def test_an_unknown_staff_member_is_named():
    error = refused(week(patients=[patient("P3", primary_counselor="C99")]))
    assert error.message == "patient 'P3': unknown staff member 'C99'"
    tracks = week()["locations"][0]["tracks"]
    tracks[0]["facilitators"] = ["ZZ"]
    assert "unknown staff member 'ZZ'" in refused(week(tracks=tracks)).message


def test_a_patient_without_a_counselor_is_refused():
    error = refused(week(patients=[patient("P4", primary_counselor=None)]))
    assert error.message == "patient 'P4': has no primary counselor"


def test_a_physician_cannot_be_a_primary_counselor():
    error = refused(week(patients=[patient("P5", primary_counselor="MD")]))
    assert "'MD' is a physician, not a counselor" in error.message


def test_a_commitment_given_twice_is_refused_naming_both():
    twice = [hours(["mon"], "09:00", "17:00", "Work"), hours(["mon"], "09:00", "17:00", "Work")]
    error = refused(week(patients=[patient("P6", commitments=twice)]))
    assert "patient 'P6'" in error.message
    assert "'Work' (Mon 09:00–17:00) overlaps commitment 'Work' (Mon 09:00–17:00)" in error.message


def test_other_inconsistencies_are_refused_with_a_message():
    doc = week()
    doc["week_start"] = "2026-03-03"
    assert "is not a Monday" in refused(doc).message
    doc = week()
    doc["settings"]["slot_minutes"] = 7
    assert "slot_minutes must be one of (5, 10)" in refused(doc).message
    assert "used twice" in refused(week(patients=[patient("P1"), patient("P1")])).message
    assert (
        "unknown appointment kind 'massage'"
        in refused(week(patients=[patient(needs=["massage"])])).message
    )
    assert (
        "day 'someday'"
        in refused(
            week(
                patients=[
                    patient(commitments=[{"day": "someday", "start": "09:00", "end": "10:00"}])
                ]
            )
        ).message
    )


def test_the_json_schemas_are_valid_json_and_name_the_formats():
    instance = json.loads((DOCS / "schedule-instance.schema.json").read_text())
    plan = json.loads((DOCS / "schedule-plan.schema.json").read_text())
    assert instance["properties"]["format"]["const"] == "openiop-schedule-instance/1"
    assert plan["properties"]["format"]["const"] == "openiop-schedule-plan/1"


def _conforms(value, schema, root, path="$"):
    """Just enough of JSON Schema for our own two files: types, required, properties
    (additionalProperties false), items, enum, const, $ref to $defs."""
    if "$ref" in schema:
        return _conforms(value, root["$defs"][schema["$ref"].split("/")[-1]], root, path)
    kinds = schema.get("type")
    if kinds:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        py = {
            "object": dict,
            "array": list,
            "string": str,
            "integer": int,
            "number": (int, float),
            "boolean": bool,
            "null": type(None),
        }
        ok = any(
            isinstance(value, py[k])
            and not (k in ("integer", "number") and isinstance(value, bool))
            for k in kinds
        )
        assert ok, f"{path}: {value!r} is not {kinds}"
    assert "enum" not in schema or value in schema["enum"], f"{path}: {value!r} not allowed"
    assert "const" not in schema or value == schema["const"], f"{path}: {value!r} != const"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: '{key}' is required"
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                _conforms(item, props[key], root, f"{path}.{key}")
            else:
                assert schema.get("additionalProperties", True) is not False, f"{path}.{key}?"
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _conforms(item, schema["items"], root, f"{path}[{i}]")


def test_generated_instances_and_plans_follow_their_schemas(tmp_path):
    instance = generate_instance(10, 1, seed=2)
    schema = json.loads((DOCS / "schedule-instance.schema.json").read_text())
    _conforms(instance, schema, schema)
    _conforms(instance_doc(parse_instance(instance)), schema, schema)
    source, out = tmp_path / "i.json", tmp_path / "p.json"
    source.write_text(json.dumps(instance))
    plan = solve_file(source, out, time_limit=3, num_workers=1)
    plan_schema = json.loads((DOCS / "schedule-plan.schema.json").read_text())
    _conforms(plan, plan_schema, plan_schema)
    with pytest.raises(AssertionError):
        _conforms({**plan, "surprise": 1}, plan_schema, plan_schema)
