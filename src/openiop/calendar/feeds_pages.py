"""Calendar feed pages: manage your own feed or a patient's, and the public .ics URL."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openiop.calendar import feeds_service as feeds
from openiop.calendar.feeds_service import FeedOwner, IssuedFeed
from openiop.web.deps import PageActor, SessionDep, anonymous_actor, verify_csrf
from openiop.web.render import render
from openiop.web.routing import TransactionalRoute

router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)
# The feed itself: no session, no CSRF (a calendar app polls it with the secret in the URL).
public = APIRouter(route_class=TransactionalRoute, include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@public.get("/feeds/{secret}.ics")
def feed(request: Request, secret: str, db: SessionDep) -> Response:
    body = feeds.render_feed(db, secret=secret, actor=anonymous_actor(request, "feed"))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={**NO_STORE, "X-Robots-Tag": "noindex", "Content-Disposition": "inline"},
    )


# ---- your own feed ----------------------------------------------------------------------

MINE = "/calendar/feeds/mine"


@router.get(MINE)
def my_feed(request: Request, db: SessionDep, actor: PageActor) -> Response:
    owner = feeds.own_feed_owner(actor)
    return _page(request, db, actor, owner, base=MINE)


@router.post(MINE + "/rotate")
def rotate_my_feed(request: Request, db: SessionDep, actor: PageActor) -> Response:
    owner = feeds.own_feed_owner(actor)
    issued = feeds.rotate(db, actor=actor, owner=owner)
    return _page(request, db, actor, owner, base=MINE, issued=issued)


@router.post(MINE + "/revoke")
def revoke_my_feed(request: Request, db: SessionDep, actor: PageActor) -> Response:
    owner = feeds.own_feed_owner(actor)
    revoked = feeds.revoke(db, actor=actor, owner=owner)
    return _page(request, db, actor, owner, base=MINE, revoked=revoked)


# ---- a patient's feed, managed by the care team -----------------------------------------


def _patient_base(patient_id: int) -> str:
    return f"/calendar/feeds/patients/{patient_id}"


@router.get("/calendar/feeds/patients/{patient_id}")
def patient_feed(request: Request, patient_id: int, db: SessionDep, actor: PageActor) -> Response:
    owner = FeedOwner(patient_id=patient_id)
    return _page(request, db, actor, owner, base=_patient_base(patient_id))


@router.post("/calendar/feeds/patients/{patient_id}/rotate")
def rotate_patient_feed(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    owner = FeedOwner(patient_id=patient_id)
    issued = feeds.rotate(db, actor=actor, owner=owner)
    return _page(request, db, actor, owner, base=_patient_base(patient_id), issued=issued)


@router.post("/calendar/feeds/patients/{patient_id}/revoke")
def revoke_patient_feed(
    request: Request, patient_id: int, db: SessionDep, actor: PageActor
) -> Response:
    owner = FeedOwner(patient_id=patient_id)
    revoked = feeds.revoke(db, actor=actor, owner=owner)
    return _page(request, db, actor, owner, base=_patient_base(patient_id), revoked=revoked)


def _page(  # type: ignore[no-untyped-def]
    request: Request,
    db,
    actor,
    owner: FeedOwner,
    *,
    base: str,
    issued: IssuedFeed | None = None,
    revoked: bool = False,
) -> Response:
    record = issued.record if issued else feeds.current_feed(db, actor=actor, owner=owner)
    context = {
        "record": record,
        "base": base,
        "own": base == MINE,
        "for_patient": owner.patient_id is not None,
        "patient_name": feeds.patient_name(db, owner.patient_id) if owner.patient_id else None,
        "feed_url": _absolute(request, issued.path) if issued else None,
        "revoked": revoked,
        "reminders_href": _reminders_href(base, owner),
    }
    response = render(request, "calendar/feeds.html", context)
    response.headers.update(NO_STORE)  # the page may show the secret URL once
    return response


def _reminders_href(base: str, owner: FeedOwner) -> str:
    if base == MINE:
        return "/calendar/reminders/mine"
    return f"/calendar/reminders/patients/{owner.patient_id}"


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path
