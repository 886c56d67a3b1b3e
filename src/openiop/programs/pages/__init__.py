"""HTML screens for the provider's setup under /admin: locations and rooms, programs, tracks
and staff. Read-only roles see the lists and details without edit controls; their writes are
refused (and audited) by the service."""

from fastapi import APIRouter

from openiop.programs.pages import locations, programs, setup, staff, tracks

router = APIRouter(include_in_schema=False)
for _module in (setup, locations, programs, tracks, staff):
    router.include_router(_module.router)
