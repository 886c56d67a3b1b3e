"""What clinical notes look like coming in and going out (API and pages alike).

A chart note for a group session carries the shared part (`group`) and that patient's own
part only. Private counseling notes have no API shape at all: they are never exported.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class SectionOut(BaseModel):
    key: str
    label: str
    text: str


class MedicationIO(BaseModel):
    name: str = Field(max_length=120)
    dose: str = Field(max_length=120)
    route: str = Field(max_length=20, description="oral, sublingual, im, iv, subcutaneous, ...")
    frequency: str = Field(max_length=120)


class ObjectiveOut(BaseModel):
    id: int
    statement: str


class GroupShared(BaseModel):
    group_session_id: int
    session_date: date
    topic: str
    content: str
    interventions: str


class AddendumOut(BaseModel):
    created_at: datetime
    author: str
    text: str


class Signature(BaseModel):
    signed_at: datetime | None = None
    signed_by: str | None = None
    content_hash: str | None = None
    cosign_required: bool = False
    cosigned_at: datetime | None = None
    cosigned_by: str | None = None
    late: bool = False


class NoteSummary(BaseModel):
    """One line of a patient's chart tab."""

    id: int
    kind: str
    format: str
    title: str
    service_date: date
    status: str
    author: str
    topic: str | None = None  # group notes: the session's topic
    late: bool = False
    awaiting_cosign: bool = False


class NoteList(BaseModel):
    patient_id: int
    patient_name: str
    items: list[NoteSummary]


class NoteView(BaseModel):
    id: int
    patient_id: int
    kind: str
    format: str
    title: str
    service_date: date
    service_at: datetime
    contact_method: str | None
    status: str
    author: str
    author_user_id: int
    sections: list[SectionOut]
    medications: list[MedicationIO]
    objectives: list[ObjectiveOut]
    group: GroupShared | None
    signature: Signature
    addenda: list[AddendumOut]
    version: int


class NoteIn(BaseModel):
    """A new draft. `sections` holds the format's section texts by key (see docs/notes.md)."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(description="dap, birp, soap, intake or contact")
    service_date: date
    service_time: str | None = Field(default=None, description="Local HH:MM the service ended")
    contact_method: str | None = Field(default=None, description="phone, email or collateral")
    sections: dict[str, str] = Field(default_factory=dict)
    medications: list[MedicationIO] = Field(default_factory=list)
    objective_ids: list[int] = Field(default_factory=list)


class NotePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    service_date: date | None = None
    service_time: str | None = None
    contact_method: str | None = None
    sections: dict[str, str] | None = None
    medications: list[MedicationIO] | None = None
    objective_ids: list[int] | None = None


class AddendumIn(BaseModel):
    text: str


class GroupPartIO(BaseModel):
    patient_id: int
    participation: str = ""
    response: str = ""
    progress: str = ""
    objective_ids: list[int] = Field(
        default_factory=list,
        description="Objectives of this attendee's own active treatment plan that the part "
        "addresses; any other id is refused (422)",
    )


class GroupNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, description="Required once the note exists")
    topic: str = ""
    content: str = ""
    interventions: str = ""
    parts: list[GroupPartIO] = Field(default_factory=list)


class GroupNoteView(BaseModel):
    """The facilitator's working view: every attendee's part (care-team access to each)."""

    id: int
    group_session_id: int
    session_date: date
    status: str
    topic: str
    content: str
    interventions: str
    parts: list[GroupPartIO]
    signature: Signature
    version: int
