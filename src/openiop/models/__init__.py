"""Every table, imported here so Alembic and the app see one metadata."""

from openiop.models.accounts import ApiToken, User, UserSession
from openiop.models.admissions import (
    AdmissionAssessment,
    ClinicalTask,
    Inquiry,
    InquiryContact,
    LocationRate,
    ReferralSource,
)
from openiop.models.audit import AuditChainHead, AuditEvent, BreakGlassGrant
from openiop.models.base import Base
from openiop.models.calendar import (
    Appointment,
    CurriculumTopic,
    GroupSession,
    LocationClosure,
    PatientBlock,
    SchedulingPreference,
    StaffTimeOff,
    StaffWorkingHours,
)
from openiop.models.organization import Location, Organization, Room
from openiop.models.patients import Commitment, Enrollment, Patient
from openiop.models.programs import Program, Track, track_facilitators
from openiop.models.staff import StaffMember, staff_locations

__all__ = [
    "AdmissionAssessment",
    "ApiToken",
    "Appointment",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "BreakGlassGrant",
    "ClinicalTask",
    "Commitment",
    "CurriculumTopic",
    "Enrollment",
    "GroupSession",
    "Inquiry",
    "InquiryContact",
    "Location",
    "LocationClosure",
    "LocationRate",
    "Organization",
    "Patient",
    "PatientBlock",
    "Program",
    "ReferralSource",
    "Room",
    "SchedulingPreference",
    "StaffMember",
    "StaffTimeOff",
    "StaffWorkingHours",
    "Track",
    "User",
    "UserSession",
    "staff_locations",
    "track_facilitators",
]
