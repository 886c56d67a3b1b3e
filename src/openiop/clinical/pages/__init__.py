"""Clinical pages: the clinical chart of a patient (plan, measures with trajectory charts,
drug screens, discharge), the forms that change them, the patient's own signed plan, and
the site's clinical work list."""

from fastapi import APIRouter

from openiop.clinical.pages import chart, discharge, plans, records, settings, worklist

router = APIRouter()
for module in (chart, plans, records, discharge, worklist, settings):
    router.include_router(module.router)
