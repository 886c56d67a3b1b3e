from fastapi import APIRouter

from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute)
