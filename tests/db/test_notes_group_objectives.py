"""A group note's attendee parts address THAT attendee's treatment-plan objectives: offered
from their own active plan only, kept per part, refused when they are another patient's,
locked and hashed at signing, shown in their own chart only, loaded in one query."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from openiop.models import (
    ClinicalNote,
    Enrollment,
    GroupNote,
    PlanGoal,
    PlanObjective,
    PlanProblem,
    TreatmentPlan,
    note_objectives,
)
from openiop.notes import group_service, rules, views
from tests import factories as f
from tests.db import support_notes as s
from tests.personas import csrf_of, sign_in

SHARED = {
    "topic": "Relapse prevention: high-risk situations",
    "content": "Mapped high-risk situations and rehearsed refusal skills.",
    "interventions": "CBT skills practice, role play.",
}
PART = {"participation": "Took part.", "response": "Receptive.", "progress": "Some progress."}


def statements(patient) -> list[str]:  # type: ignore[no-untyped-def]
    """Objective texts unique to one patient, so a leak is visible in any output."""
    return [f"OBJ-{patient.last_name.upper()}-{n}" for n in (1, 2)]


def add_plan(db, patient, status="active", texts=None):  # type: ignore[no-untyped-def]
    enrollment_id = db.scalar(select(Enrollment.id).where(Enrollment.patient_id == patient.id))
    plan = TreatmentPlan(patient_id=patient.id, enrollment_id=enrollment_id, status=status)
    db.add(plan)
    db.flush()
    problem = PlanProblem(plan_id=plan.id, statement="A problem.")
    db.add(problem)
    db.flush()
    goal = PlanGoal(problem_id=problem.id, statement="A goal.")
    db.add(goal)
    db.flush()
    rows = [
        PlanObjective(
            goal_id=goal.id,
            plan_id=plan.id,
            statement=text,
            measure="Self-report",
            target_date=date(2026, 12, 31),
            position=n,
        )
        for n, text in enumerate(texts or statements(patient))
    ]
    db.add_all(rows)
    db.flush()
    return [r.id for r in rows]


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    world = s.build(db)
    pat, morgan, avery, _jordan = world.attendees  # Jordan has no plan at all
    world.objectives = {  # type: ignore[attr-defined]
        pat.id: add_plan(db, pat),
        morgan.id: add_plan(db, morgan),
        avery.id: add_plan(db, avery),
    }
    # Morgan's unsigned revision: a draft's objectives are not offered to a group part.
    world.draft_objectives = add_plan(  # type: ignore[attr-defined]
        db, morgan, status="draft", texts=["DRAFT-ONLY-OBJECTIVE"]
    )
    return world


def _url(nw) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/group-sessions/{nw.group.id}/note"


def _body(nw, links, version=None) -> dict:  # type: ignore[no-untyped-def]
    parts = [
        {"patient_id": p.id, **PART, "objective_ids": links.get(p.id, [])} for p in nw.attendees
    ]
    return {**SHARED, "version": version, "parts": parts}


def _own_links(nw) -> dict[int, list[int]]:  # type: ignore[no-untyped-def]
    return {pid: ids[:1] for pid, ids in nw.objectives.items()}


def _stored_links(db) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    query = select(ClinicalNote.patient_id, note_objectives.c.objective_id).join(
        note_objectives, note_objectives.c.note_id == ClinicalNote.id
    )
    return {tuple(row) for row in db.execute(query)}  # type: ignore[misc]


def _save(client, db, nw, links, persona="facilitator", version=None):  # type: ignore[no-untyped-def]
    headers = s.bearer(db, nw.user(persona))
    return client.put(_url(nw), json=_body(nw, links, version), headers=headers)


def _form(db, nw):  # type: ignore[no-untyped-def]
    who = s.actor(db, nw.user("facilitator"))
    return group_service.group_form(db, actor=who, group_session_id=nw.group.id)


# ---- choices ----------------------------------------------------------------------------


def test_each_part_offers_only_that_attendees_active_plan_objectives(db, nw):
    pat, morgan, avery, jordan = nw.attendees
    rows = {r.patient_id: r for r in _form(db, nw).rows}
    for patient in (pat, morgan, avery):
        offered = rows[patient.id].objectives
        assert offered == list(zip(nw.objectives[patient.id], statements(patient), strict=True))
    assert rows[jordan.id].objectives is None  # no treatment plan yet
    assert all(
        oid not in nw.draft_objectives for r in rows.values() for oid, _ in r.objectives or []
    )


def test_the_editor_shows_each_attendees_objectives_in_their_own_part_only(client, db, nw):
    sign_in(client, "facilitator@example.org")
    page = client.get(f"/group-sessions/{nw.group.id}/note")
    assert page.status_code == 200
    fieldsets = page.text.split('<fieldset class="card attendee">')[1:]
    assert len(fieldsets) == len(nw.attendees)
    by_patient = {
        int(re.search(r'name="attended" value="(\d+)"', html).group(1)): html  # type: ignore[union-attr]
        for html in fieldsets
    }
    jordan = nw.attendees[3]
    assert "no treatment plan yet" in by_patient[jordan.id]
    for patient in nw.attendees:
        html = by_patient[patient.id]
        others = [p for p in nw.attendees if p.id != patient.id]
        for other in others:
            for text in statements(other):
                assert text not in html, (
                    f"{other.last_name}'s objective in {patient.last_name}'s part"
                )
        if patient.id in nw.objectives:
            assert all(text in html for text in statements(patient))
            assert f'name="p{patient.id}-objective_ids"' in html
        assert "DRAFT-ONLY-OBJECTIVE" not in html


# ---- saving -----------------------------------------------------------------------------


def test_links_are_kept_per_part_and_a_part_without_a_plan_still_saves(client, db, nw):
    saved = _save(client, db, nw, _own_links(nw))
    assert saved.status_code == 200, saved.text
    parts = {p["patient_id"]: p for p in saved.json()["parts"]}
    jordan = nw.attendees[3]
    assert parts[jordan.id]["objective_ids"] == [] and parts[jordan.id]["participation"]
    for pid, ids in _own_links(nw).items():
        assert parts[pid]["objective_ids"] == ids
    assert _stored_links(db) == {(pid, ids[0]) for pid, ids in _own_links(nw).items()}

    # A second save changes one part's links and leaves the others as sent.
    pat = nw.attendees[0]
    links = {**_own_links(nw), pat.id: nw.objectives[pat.id]}
    again = _save(client, db, nw, links, version=saved.json()["version"])
    assert again.status_code == 200, again.text
    assert {oid for p, oid in _stored_links(db) if p == pat.id} == set(nw.objectives[pat.id])
    form_rows = {r.patient_id: r for r in _form(db, nw).rows}
    assert form_rows[pat.id].objective_ids == nw.objectives[pat.id]


def test_leaving_an_attendee_out_drops_their_links(client, db, nw):
    first = _save(client, db, nw, _own_links(nw)).json()
    body = _body(nw, _own_links(nw), first["version"])
    morgan = nw.attendees[1]
    body["parts"] = [p for p in body["parts"] if p["patient_id"] != morgan.id]
    assert client.put(_url(nw), json=body, headers=s.bearer(db, nw.user("facilitator"))).is_success
    assert all(pid != morgan.id for pid, _ in _stored_links(db))
    assert db.scalar(select(func.count()).select_from(note_objectives)) == 2


@pytest.mark.parametrize("whose", ["another attendee", "the same patient's draft", "no plan"])
def test_an_objective_not_in_the_attendees_own_plan_is_refused_and_nothing_changes(
    client, db, nw, whose
):
    pat, morgan, _avery, jordan = nw.attendees
    first = _save(client, db, nw, _own_links(nw)).json()
    before = (_stored_links(db), db.scalar(select(GroupNote.version)))
    target, crafted = {
        "another attendee": (pat, nw.objectives[morgan.id][:1]),
        "the same patient's draft": (morgan, nw.draft_objectives),
        "no plan": (jordan, nw.objectives[pat.id][:1]),
    }[whose]
    links = {**_own_links(nw), target.id: crafted}
    body = _body(nw, links, first["version"])
    body["content"] = "CHANGED CONTENT"
    response = client.put(_url(nw), json=body, headers=s.bearer(db, nw.user("facilitator")))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {f"p{target.id}-objective_ids"}
    assert (_stored_links(db), db.scalar(select(GroupNote.version))) == before
    assert db.scalar(select(GroupNote.content)) == SHARED["content"]


def test_a_first_save_with_another_patients_objective_writes_nothing(client, db, nw):
    pat, morgan = nw.attendees[:2]
    response = _save(client, db, nw, {pat.id: nw.objectives[morgan.id]})
    assert response.status_code == 422 and f"p{pat.id}-objective_ids" in response.json()["fields"]
    assert s.count(db, GroupNote) == 0 and s.count(db, ClinicalNote) == 0
    assert _stored_links(db) == set()


def _page_form(token, nw, links) -> dict:  # type: ignore[no-untyped-def]
    data: dict = {"csrf_token": token, "version": "", **SHARED, "attended": []}
    for p in nw.attendees:
        data["attended"].append(str(p.id))
        data.update({f"p{p.id}-{k}": v for k, v in PART.items()})
        data[f"p{p.id}-objective_ids"] = [str(i) for i in links.get(p.id, [])]
    return data


def test_the_page_saves_ticked_objectives_and_reshows_a_crafted_one_with_its_error(client, db, nw):
    pat, morgan = nw.attendees[:2]
    sign_in(client, "facilitator@example.org")
    token = csrf_of(client)
    url = f"/group-sessions/{nw.group.id}/note"
    crafted = {**_own_links(nw), pat.id: [*nw.objectives[pat.id][:1], nw.objectives[morgan.id][0]]}
    refused = client.post(url, data=_page_form(token, nw, crafted))
    assert refused.status_code == 422
    assert "Choose objectives from this attendee&#39;s own treatment plan" in refused.text
    assert f'id="e-p{pat.id}-objective_ids"' in refused.text
    assert SHARED["content"] in refused.text  # what was typed is kept
    own = nw.objectives[pat.id][0]
    assert re.search(rf'id="obj-{pat.id}-{own}"[^>]*checked', refused.text)  # ticks kept
    assert s.count(db, GroupNote) == 0

    saved = client.post(url, data=_page_form(token, nw, _own_links(nw)), follow_redirects=False)
    assert saved.status_code == 303
    assert _stored_links(db) == {(pid, ids[0]) for pid, ids in _own_links(nw).items()}
    page = client.get(url)
    assert re.search(rf'id="obj-{pat.id}-{own}"[^>]*checked', page.text)
    second = nw.objectives[pat.id][1]
    assert not re.search(rf'id="obj-{pat.id}-{second}"[^>]*checked', page.text)

    junk = _page_form(token, nw, _own_links(nw))
    junk[f"p{pat.id}-objective_ids"] = ["not-a-number"]
    assert client.post(url, data=junk).status_code == 422


# ---- versions: a link-only change is a change ---------------------------------------------


def _note_state(db):  # type: ignore[no-untyped-def]
    db.expire_all()
    note = db.scalars(select(GroupNote)).one()
    bodies = {p.patient_id: p.body for p in db.scalars(select(ClinicalNote))}
    return note.version, note.content, bodies, _stored_links(db)


def test_a_link_only_change_bumps_the_version_and_a_stale_save_is_409_changing_nothing(
    client, db, nw
):
    pat, morgan = nw.attendees[:2]
    read = _save(client, db, nw, _own_links(nw)).json()["version"]  # both tabs read this
    same = _save(client, db, nw, _own_links(nw), version=read)
    assert same.json()["version"] == read  # nothing changed, nothing to bump

    # Tab A changes only links: Pat's part gains an objective, Morgan's loses its one.
    links = {**_own_links(nw), pat.id: nw.objectives[pat.id], morgan.id: []}
    changed = _save(client, db, nw, links, version=read)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] > read
    after = _note_state(db)

    # Tab B still holds the old version: its autosave would put the old links back.
    stale = _save(client, db, nw, _own_links(nw), version=read)
    assert stale.status_code == 409, stale.text
    assert _note_state(db) == after
    assert {oid for p, oid in after[3] if p == pat.id} == set(nw.objectives[pat.id])
    assert all(p != morgan.id for p, _ in after[3])


def test_a_stale_tabs_autosave_after_a_link_only_change_is_refused_on_the_page(client, db, nw):
    pat = nw.attendees[0]
    read = _save(client, db, nw, _own_links(nw)).json()["version"]
    links = {**_own_links(nw), pat.id: nw.objectives[pat.id]}
    assert _save(client, db, nw, links, version=read).status_code == 200
    after = _note_state(db)
    sign_in(client, "facilitator@example.org")
    data = _page_form(csrf_of(client), nw, _own_links(nw))
    data["version"] = str(read)
    data["content"] = "STALE TAB CONTENT"
    url = f"/group-sessions/{nw.group.id}/note/autosave"
    response = client.post(url, data=data)
    assert response.status_code == 200 and "Not saved" in response.text
    assert _note_state(db) == after


# ---- signing and the charts -------------------------------------------------------------


def _sign(client, db, nw):  # type: ignore[no-untyped-def]
    assert _save(client, db, nw, _own_links(nw)).status_code == 200
    headers = s.bearer(db, nw.user("facilitator"))
    signed = client.post(_url(nw) + "/sign", headers=headers)
    assert signed.status_code == 200, signed.text
    return signed.json()


def test_signing_hashes_each_parts_links_and_locks_them(client, db, nw):
    note = _sign(client, db, nw)
    group_note = db.scalars(select(GroupNote)).one()
    for part in db.scalars(select(ClinicalNote)):
        ids = _own_links(nw).get(part.patient_id, [])
        payload = views.hash_payload(part, ids, shared=group_note)
        assert part.content_hash == rules.content_hash(payload)
        if ids:
            unlinked = views.hash_payload(part, [], shared=group_note)
            assert part.content_hash != rules.content_hash(unlinked)
    before = _stored_links(db)
    pat = nw.attendees[0]
    changed = _save(client, db, nw, {pat.id: nw.objectives[pat.id]}, version=note["version"])
    assert changed.status_code == 409 and "locked" in changed.json()["detail"]
    assert _stored_links(db) == before


def test_each_chart_shows_its_own_objectives_and_never_another_attendees(client, db, nw):
    _sign(client, db, nw)
    headers = s.bearer(db, nw.user("care_counselor"))
    sign_in(client, "care_counselor@example.org")
    everyones = {text for p in nw.attendees for text in statements(p)}
    for patient in nw.attendees:
        own = set(statements(patient)[:1]) if patient.id in nw.objectives else set()
        part_id = db.scalar(select(ClinicalNote.id).where(ClinicalNote.patient_id == patient.id))
        listing = client.get(f"/api/v1/patients/{patient.id}/notes", headers=headers)
        one = client.get(f"/api/v1/notes/{part_id}", headers=headers)
        chart = client.get(f"/patients/{patient.id}/notes")
        page = client.get(f"/notes/{part_id}")
        assert {r.status_code for r in (listing, one, chart, page)} == {200}
        assert {o["statement"] for o in one.json()["objectives"]} == own
        assert {o["id"] for o in one.json()["objectives"]} == set(
            _own_links(nw).get(patient.id, [])
        )
        if own:
            assert "Plan objectives addressed" in page.text
            assert all(f"<li>{text}</li>" in page.text for text in own)
        for output in (listing.text, one.text, chart.text, page.text):
            leaked = {text for text in everyones - own if text in output}
            assert not leaked, f"{patient.last_name}'s chart shows {leaked}"


def _signed_page_parts(client, nw) -> dict[int, str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/group-sessions/{nw.group.id}/note")
    assert page.status_code == 200, page.text
    assert "Save and sign" not in page.text  # the locked note, not the editor
    items = page.text.split('<li class="attendee-part"')[1:]
    return {int(re.search(r'id="part-(\d+)"', html).group(1)): html for html in items}  # type: ignore[union-attr]


@pytest.mark.parametrize("persona", ["facilitator", "care_counselor"])
def test_the_signed_note_shows_each_parts_objectives_in_that_part_only(client, db, nw, persona):
    _sign(client, db, nw)
    # A later revision supersedes Pat's plan: the signed part still says what it addressed.
    pat_plan = db.scalar(
        select(PlanObjective.plan_id).where(PlanObjective.id == nw.objectives[nw.pat.id][0])
    )
    db.get(TreatmentPlan, pat_plan).status = "superseded"
    db.flush()
    sign_in(client, f"{persona}@example.org")
    parts = _signed_page_parts(client, nw)
    assert set(parts) == {p.id for p in nw.attendees}
    jordan = nw.attendees[3]
    assert "no plan objectives linked" in parts[jordan.id].lower()
    for patient in nw.attendees:
        html = parts[patient.id]
        linked = statements(patient)[:1] if patient.id in nw.objectives else []
        assert all(f"<li>{text}</li>" in html for text in linked)
        unlinked = {text for p in nw.attendees for text in statements(p)} - set(linked)
        assert not {text for text in unlinked if text in html}, patient.last_name
        assert "DRAFT-ONLY-OBJECTIVE" not in html


def test_the_signed_note_shows_each_attendees_own_part_to_whoever_co_signs_it(client, db, nw):
    """A supervisor reviews the whole note on one page: every part, each under its attendee."""
    own = {p.id: f"Spoke about {p.last_name.upper()}-ONLY matters." for p in nw.attendees}
    body = _body(nw, {})
    for part in body["parts"]:
        part["participation"] = own[part["patient_id"]]
    headers = s.bearer(db, nw.user("facilitator"))
    assert client.put(_url(nw), json=body, headers=headers).status_code == 200
    assert client.post(_url(nw) + "/sign", headers=headers).status_code == 200
    sign_in(client, "care_counselor@example.org")
    parts = _signed_page_parts(client, nw)
    for patient in nw.attendees:
        assert own[patient.id] in parts[patient.id]
        assert not [
            text for pid, text in own.items() if pid != patient.id and text in parts[patient.id]
        ]


@pytest.mark.parametrize("persona", ["care_physician", "site_counselor", "front_desk"])
def test_who_may_not_open_the_signed_note_sees_no_objective(client, db, nw, persona):
    """The care physician is on Pat's care team only, not every attendee's."""
    _sign(client, db, nw)
    refused_before = len(s.events(db, "note.group.read", "refused"))
    sign_in(client, f"{persona}@example.org")
    page = client.get(f"/group-sessions/{nw.group.id}/note")
    assert page.status_code == 403
    assert not any(text in page.text for p in nw.attendees for text in statements(p))
    assert len(s.events(db, "note.group.read", "refused")) > refused_before


# ---- speed ------------------------------------------------------------------------------


def _statements_touching(db, table: str, action):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def remember(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if re.search(rf"\b{table}\b", statement):
            seen.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return seen


def test_the_editor_loads_every_attendees_objectives_and_links_in_one_query_each(client, db, nw):
    _save(client, db, nw, _own_links(nw))

    def plan_and_link_queries() -> tuple[int, int]:
        db.expire_all()
        plans = _statements_touching(db, "plan_objectives", lambda: _form(db, nw))
        links = _statements_touching(db, "note_objectives", lambda: _form(db, nw))
        return len(plans), len(links)

    assert plan_and_link_queries() == (1, 1)
    care = nw.user("care_counselor")
    for n in range(4):  # four more attendees, each with a plan, on the same track
        extra = f.patient(
            db,
            organization_id=nw.pat.organization_id,
            registered_location_id=nw.world.site_a.id,
            first_name="Extra",
            last_name=f"Attendee{n}",
        )
        f.enrollment(
            db,
            patient_id=extra.id,
            program_id=nw.world.program.id,
            location_id=nw.world.site_a.id,
            track_id=nw.world.track_a.id,
            primary_counselor_id=care.staff_member_id,
        )
        add_plan(db, extra)
    assert len(_form(db, nw).rows) == 8
    assert plan_and_link_queries() == (1, 1)


def test_the_signed_note_loads_every_parts_objectives_in_one_query(client, db, nw):
    care = nw.user("care_counselor")
    for n in range(4):  # eight attendees, each but Jordan with a plan and a linked objective
        extra = f.patient(
            db,
            organization_id=nw.pat.organization_id,
            registered_location_id=nw.world.site_a.id,
            first_name="Extra",
            last_name=f"Attendee{n}",
        )
        f.enrollment(
            db,
            patient_id=extra.id,
            program_id=nw.world.program.id,
            location_id=nw.world.site_a.id,
            track_id=nw.world.track_a.id,
            primary_counselor_id=care.staff_member_id,
        )
        nw.objectives[extra.id] = add_plan(db, extra)
        nw.attendees.append(extra)
    _sign(client, db, nw)

    def queries() -> tuple[int, int]:
        db.expire_all()
        plans = _statements_touching(db, "plan_objectives", lambda: _form(db, nw))
        links = _statements_touching(db, "note_objectives", lambda: _form(db, nw))
        return len(plans), len(links)

    assert queries() == (1, 1)  # the same query: the links with their text
    rows = {r.patient_id: r for r in _form(db, nw).rows}
    assert len(rows) == 8
    for patient in nw.attendees:
        own = statements(patient)[:1] if patient.id in nw.objectives else []
        assert [text for _, text in rows[patient.id].addressed] == own
        assert rows[patient.id].objective_ids == _own_links(nw).get(patient.id, [])


# ---- who may, audit ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_site_counselor", "front_desk", "site_counselor"])
def test_who_may_not_link_or_read_objectives(client, db, nw, persona):
    pat = nw.attendees[0]
    refused = _save(client, db, nw, _own_links(nw), persona=persona)
    assert refused.status_code == 403
    assert s.count(db, GroupNote) == 0 and _stored_links(db) == set()
    first = _save(client, db, nw, _own_links(nw)).json()
    before = _stored_links(db)
    headers = s.bearer(db, nw.user(persona))
    edit = client.put(
        _url(nw), json=_body(nw, {pat.id: nw.objectives[pat.id]}, first["version"]), headers=headers
    )
    read = client.get(_url(nw), headers=headers)
    assert (edit.status_code, read.status_code) == (403, 403)
    assert statements(pat)[0] not in read.text
    assert _stored_links(db) == before
    assert s.events(db, "note.group.write", "refused")
    assert s.events(db, "note.group.read", "refused")


def test_saving_and_reading_links_is_audited_per_attendee(client, db, nw):
    _save(client, db, nw, _own_links(nw))
    written = {e.patient_id for e in s.events(db, "note.group.write", "allowed")}
    assert {p.id for p in nw.attendees} <= written
    _form(db, nw)
    read = {e.patient_id for e in s.events(db, "note.group.read", "allowed")}
    assert {p.id for p in nw.attendees} <= read
