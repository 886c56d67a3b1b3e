"""Every table, imported here so Alembic and the app see one metadata."""

from openiop.models.accounts import ApiToken, User, UserSession
from openiop.models.admissions import (
    AdmissionAssessment,
    AdmissionRecord,
    ClinicalTask,
    Inquiry,
    InquiryContact,
    LocationRate,
    ReferralSource,
)
from openiop.models.attendance import AttendanceCorrection, DailyMinutes, GroupAttendance
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
from openiop.models.clinical import (
    ClinicalPolicy,
    DischargeSummary,
    DrugScreen,
    DrugScreenResult,
    MeasureAdministration,
    MeasureSchedule,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    TreatmentPlan,
)
from openiop.models.feeds import CalendarFeedToken, Reminder, ReminderPreference
from openiop.models.notes import (
    ClinicalNote,
    GroupNote,
    NoteAddendum,
    NoteMedication,
    PrivateCounselingNote,
    note_objectives,
)
from openiop.models.organization import Location, Organization, Room
from openiop.models.patients import Commitment, Enrollment, Patient
from openiop.models.planning import PlanRun
from openiop.models.programs import Program, Track, track_facilitators
from openiop.models.referrals import Referral, ReferralPartner, SoberLivingHome
from openiop.models.staff import StaffMember, staff_locations

__all__ = [
    "AdmissionAssessment",
    "AdmissionRecord",
    "ApiToken",
    "Appointment",
    "AttendanceCorrection",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "BreakGlassGrant",
    "CalendarFeedToken",
    "ClinicalPolicy",
    "ClinicalNote",
    "ClinicalTask",
    "Commitment",
    "CurriculumTopic",
    "DailyMinutes",
    "DischargeSummary",
    "DrugScreen",
    "DrugScreenResult",
    "Enrollment",
    "GroupAttendance",
    "GroupNote",
    "GroupSession",
    "Inquiry",
    "InquiryContact",
    "Location",
    "NoteAddendum",
    "NoteMedication",
    "LocationClosure",
    "LocationRate",
    "MeasureAdministration",
    "MeasureSchedule",
    "Organization",
    "Patient",
    "PrivateCounselingNote",
    "PatientBlock",
    "PlanGoal",
    "PlanIntervention",
    "PlanObjective",
    "PlanProblem",
    "PlanReview",
    "PlanRun",
    "Program",
    "Referral",
    "ReferralPartner",
    "ReferralSource",
    "Reminder",
    "ReminderPreference",
    "Room",
    "SchedulingPreference",
    "SoberLivingHome",
    "StaffMember",
    "StaffTimeOff",
    "StaffWorkingHours",
    "Track",
    "TreatmentPlan",
    "User",
    "UserSession",
    "note_objectives",
    "staff_locations",
    "track_facilitators",
]
