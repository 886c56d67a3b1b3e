"""JSON API for clinical notes under /api/v1. Same services, checks and audit as the pages.

A patient's notes list and a chart note show a group note's shared part and that patient's
part only. Private SUD counseling notes have no API at all: they never leave their author's
screen.
"""

from __future__ import annotations

from fastapi import APIRouter

from openiop.notes import group_service, service
from openiop.notes.schemas import (
    AddendumIn,
    GroupNoteIn,
    GroupNoteView,
    NoteIn,
    NoteList,
    NotePatch,
    NoteView,
)
from openiop.web.deps import ApiActor, SessionDep, SettingsDep
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["notes"])


def _note_data(body: NoteIn | NotePatch) -> dict:  # type: ignore[type-arg]
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    if "medications" in data:
        data["medications"] = [dict(m) for m in data["medications"]]
    return data


def _view(db, note_id: int) -> NoteView:  # type: ignore[no-untyped-def]
    return service.view_by_id(db, note_id)


@router.get("/patients/{patient_id}/notes", response_model=NoteList)
def list_notes(patient_id: int, db: SessionDep, actor: ApiActor) -> NoteList:
    return service.chart(db, actor=actor, patient_id=patient_id)


@router.post("/patients/{patient_id}/notes", response_model=NoteView, status_code=201)
def create_note(
    patient_id: int, body: NoteIn, db: SessionDep, actor: ApiActor, settings: SettingsDep
) -> NoteView:
    note = service.create_note(
        db, actor=actor, patient_id=patient_id, data=_note_data(body), settings=settings
    )
    return _view(db, note.id)


@router.get("/notes/{note_id}", response_model=NoteView)
def get_note(note_id: int, db: SessionDep, actor: ApiActor) -> NoteView:
    return service.read_note(db, actor=actor, note_id=note_id)


@router.patch("/notes/{note_id}", response_model=NoteView)
def update_note(
    note_id: int, body: NotePatch, db: SessionDep, actor: ApiActor, settings: SettingsDep
) -> NoteView:
    service.update_note(
        db,
        actor=actor,
        note_id=note_id,
        version=body.version,
        data=_note_data(body),
        settings=settings,
    )
    return _view(db, note_id)


@router.post("/notes/{note_id}/sign", response_model=NoteView)
def sign_note(note_id: int, db: SessionDep, actor: ApiActor, settings: SettingsDep) -> NoteView:
    service.sign_note(db, actor=actor, note_id=note_id, settings=settings)
    return _view(db, note_id)


@router.post("/notes/{note_id}/cosign", response_model=NoteView)
def cosign_note(note_id: int, db: SessionDep, actor: ApiActor) -> NoteView:
    service.cosign_note(db, actor=actor, note_id=note_id)
    return _view(db, note_id)


@router.post(
    "/patients/{patient_id}/notes/{note_id}/addenda", response_model=NoteView, status_code=201
)
def add_addendum(
    patient_id: int, note_id: int, body: AddendumIn, db: SessionDep, actor: ApiActor
) -> NoteView:
    service.add_addendum(db, actor=actor, patient_id=patient_id, note_id=note_id, text=body.text)
    return _view(db, note_id)


# ---- group notes ------------------------------------------------------------------------


def _group_view(db, actor, group_session_id: int) -> GroupNoteView:  # type: ignore[no-untyped-def]
    return group_service.group_view(db, actor=actor, group_session_id=group_session_id)


@router.get("/group-sessions/{group_session_id}/note", response_model=GroupNoteView)
def get_group_note(group_session_id: int, db: SessionDep, actor: ApiActor) -> GroupNoteView:
    return _group_view(db, actor, group_session_id)


@router.put("/group-sessions/{group_session_id}/note", response_model=GroupNoteView)
def save_group_note(
    group_session_id: int, body: GroupNoteIn, db: SessionDep, actor: ApiActor
) -> GroupNoteView:
    parts = {p.patient_id: p.model_dump(exclude={"patient_id"}) for p in body.parts}
    group_service.save_group_note(
        db,
        actor=actor,
        group_session_id=group_session_id,
        version=body.version,
        shared=body.model_dump(include={"topic", "content", "interventions"}),
        parts=parts,
    )
    return _group_view(db, actor, group_session_id)


@router.post("/group-sessions/{group_session_id}/note/sign", response_model=GroupNoteView)
def sign_group_note(
    group_session_id: int, db: SessionDep, actor: ApiActor, settings: SettingsDep
) -> GroupNoteView:
    group_service.sign_group_note(
        db, actor=actor, group_session_id=group_session_id, settings=settings
    )
    return _group_view(db, actor, group_session_id)


@router.post("/group-sessions/{group_session_id}/note/cosign", response_model=GroupNoteView)
def cosign_group_note(group_session_id: int, db: SessionDep, actor: ApiActor) -> GroupNoteView:
    group_service.cosign_group_note(db, actor=actor, group_session_id=group_session_id)
    return _group_view(db, actor, group_session_id)
