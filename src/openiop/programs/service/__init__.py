"""Use cases for how the provider is set up: locations, rooms, programs, tracks and staff.

Everyone on staff may read the setup (CONFIG_READ). Writing needs CONFIG_WRITE (STAFF_WRITE
for staff), and scope narrows it further: locations and programs span the organization, so
only an organization-wide administrator creates or changes them; a program director changes
rooms, tracks and staff only at their own locations. Every change is audited with the fields
it changed. Functions take keyword arguments and never commit.
"""

from openiop.programs.service.common import (
    authorize_write,
    may_write,
    may_write_at,
    may_write_org_wide,
)
from openiop.programs.service.locations import (
    all_locations,
    create_location,
    create_room,
    get_location,
    get_room,
    list_locations,
    list_rooms,
    rooms_at,
    update_location,
    update_room,
)
from openiop.programs.service.programs import (
    all_programs,
    create_program,
    get_program,
    list_programs,
    policy_of,
    update_program,
)
from openiop.programs.service.staff import create_staff, get_staff, list_staff, update_staff
from openiop.programs.service.tracks import (
    create_track,
    facilitator_choices,
    get_track,
    list_tracks,
    update_track,
)

__all__ = [
    "all_locations",
    "all_programs",
    "authorize_write",
    "create_location",
    "create_program",
    "create_room",
    "create_staff",
    "create_track",
    "facilitator_choices",
    "get_location",
    "get_program",
    "get_room",
    "get_staff",
    "get_track",
    "list_locations",
    "list_programs",
    "list_rooms",
    "list_staff",
    "list_tracks",
    "may_write",
    "may_write_at",
    "may_write_org_wide",
    "policy_of",
    "rooms_at",
    "update_location",
    "update_program",
    "update_room",
    "update_staff",
    "update_track",
]
