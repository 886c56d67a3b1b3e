"""Admissions pages: the public site (no sign-in) and the staff screen for day rates."""

from fastapi import APIRouter

from openiop.admissions.pages import public, rates

router = APIRouter()
router.include_router(public.router)
router.include_router(rates.router)
