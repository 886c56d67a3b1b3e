"""The calendar's HTML screens: week and day views, booking, availability and setup."""

from fastapi import APIRouter

from openiop.calendar.pages import appointments, availability, setup, weeks

router = APIRouter(include_in_schema=False)
for _module in (weeks, appointments, availability, setup):
    router.include_router(_module.router)
