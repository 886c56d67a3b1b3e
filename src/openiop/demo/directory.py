"""The demo's refer-out directory: referral partners for each level of care the program does
not offer, and sober-living homes, in the demo's fictional towns. All names are made up and
every phone number is in the 555-01xx range reserved for fiction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from openiop.models import ReferralPartner, SoberLivingHome
from openiop.security import audit
from openiop.security.audit import Actor, AuditEntry

# (name, levels, town index, phone, note)
PARTNERS = (
    ("Tidewater Residential Recovery", "residential,withdrawal_management", 0, "(555) 010-0141",
     "Medically monitored withdrawal; takes most commercial plans."),
    ("Mesa Day Hospital Program", "partial_hospitalization", 1, "(555) 010-0142",
     "Six hours a day, weekdays; transport from the Cedar Mesa bus depot."),
    ("Larkspur Dual Recovery Center", "co_occurring_program,iop", 2, "(555) 010-0143",
     "Psychiatry on site for depression, anxiety and trauma alongside substance use."),
    ("Harbor Flats Community Counseling", "outpatient", 0, "(555) 010-0144",
     "Weekly groups in the evening; sliding-scale fees."),
    ("County Crisis Stabilization Unit", "urgent_safety_assessment", 1, "(555) 010-0145",
     "Open day and night; walk-ins assessed the same day."),
)  # fmt: skip
# (name, town index, beds, gender, certified by)
HOMES = (
    ("Seabright House", 0, 8, "women", "CCAPP"),
    ("Juniper Switchback Residence", 1, 12, "men", "CCAPP"),
    ("Meadowlark Commons", 2, 10, "all", None),
)


def load_directory(session: Session, *, towns: Sequence[str], actor: Actor) -> int:
    """Adds the directory; returns how many entries were written."""
    rows: list[ReferralPartner | SoberLivingHome] = [
        ReferralPartner(name=name, levels=levels, city=towns[i % len(towns)], state="CA",
                        phone=phone, notes=note)
        for name, levels, i, phone, note in PARTNERS
    ]  # fmt: skip
    rows += [
        SoberLivingHome(name=name, city=towns[i % len(towns)], beds=beds, gender=gender,
                        certified_by=certified, phone=f"(555) 010-015{n}")
        for n, (name, i, beds, gender, certified) in enumerate(HOMES)
    ]  # fmt: skip
    session.add_all(rows)
    session.flush()
    for row in rows:
        kind = "referral_partner" if isinstance(row, ReferralPartner) else "sober_living_home"
        entry = AuditEntry(f"{kind}.create", object_type=kind, object_id=row.id,
                           detail="demo data")  # fmt: skip
        audit.record(session, actor, entry)
    return len(rows)
