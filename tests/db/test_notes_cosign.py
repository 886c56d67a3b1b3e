"""The supervisor's co-signature queue: what waits, for whom, and what is audited."""

from __future__ import annotations

import pytest

from openiop.notes import cosign_service, group_service, service
from tests.db import support_notes as s


@pytest.fixture
def nw(db):  # type: ignore[no-untyped-def]
    return s.build(db)


def _associate_signs(db, nw, settings):  # type: ignore[no-untyped-def]
    associate = s.actor(db, nw.user("associate"))
    note = service.create_note(
        db, actor=associate, patient_id=nw.pat.id, data=s.dap(), settings=settings
    )
    service.sign_note(db, actor=associate, note_id=note.id, settings=settings)
    return note


def _associate_signs_group(db, nw, settings) -> None:  # type: ignore[no-untyped-def]
    associate = s.actor(db, nw.user("associate"))
    parts = {p.id: {"participation": "p", "response": "r"} for p in nw.attendees[:2]}
    shared = {"topic": "Sleep", "content": "Sleep hygiene.", "interventions": "Psychoeducation."}
    group_service.save_group_note(
        db, actor=associate, group_session_id=nw.group.id, version=None, shared=shared, parts=parts
    )
    group_service.sign_group_note(
        db, actor=associate, group_session_id=nw.group.id, settings=settings
    )


def test_a_supervisor_on_the_care_team_sees_what_waits(db, nw, settings):
    note = _associate_signs(db, nw, settings)
    _associate_signs_group(db, nw, settings)
    queue = cosign_service.my_queue(db, actor=s.actor(db, nw.user("care_counselor")))
    assert queue.may_supervise
    assert [(n.note_id, n.patient_name) for n in queue.notes] == [(note.id, "Pat Quillfeather")]
    assert [g.topic for g in queue.groups] == ["Sleep"]
    assert [e.patient_id for e in s.events(db, "note.cosign_queue")] == [nw.pat.id]
    service.cosign_note(db, actor=s.actor(db, nw.user("care_counselor")), note_id=note.id)
    after = cosign_service.my_queue(db, actor=s.actor(db, nw.user("care_counselor")))
    assert after.notes == []


def test_no_queue_without_a_supervising_credential_or_outside_the_care_team(db, nw, settings):
    _associate_signs(db, nw, settings)
    own = cosign_service.my_queue(db, actor=s.actor(db, nw.user("associate")))
    assert not own.may_supervise and own.notes == []
    # LMFT at the same site, but not on Pat's care team: the note is not listed.
    outsider = cosign_service.my_queue(db, actor=s.actor(db, nw.user("site_counselor")))
    assert outsider.may_supervise and outsider.notes == []
    elsewhere = cosign_service.my_queue(db, actor=s.actor(db, nw.user("other_site_counselor")))
    assert elsewhere.notes == [] and elsewhere.groups == []


def test_the_queue_page(client, db, nw, settings):
    from tests.personas import sign_in

    _associate_signs(db, nw, settings)
    sign_in(client, "care_counselor@example.org")
    page = client.get("/notes/cosign")
    assert page.status_code == 200 and "Pat Quillfeather" in page.text
    client.cookies.clear()
    sign_in(client, "billing@example.org")
    assert client.get("/notes/cosign").status_code == 403
