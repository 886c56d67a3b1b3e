"""Admissions pages: the public site (no sign-in), the staff screen for day rates and the
staff admissions pipeline."""

from fastapi import APIRouter

from openiop.admissions.pages import admit, assessment, pipeline, public, rates, referrals, tasks

router = APIRouter()
router.include_router(public.router)
router.include_router(rates.router)
router.include_router(pipeline.router)
router.include_router(assessment.router)
router.include_router(admit.router)
router.include_router(referrals.router)
router.include_router(tasks.router)
