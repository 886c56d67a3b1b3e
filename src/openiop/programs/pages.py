from fastapi import APIRouter, Depends

from openiop.web.deps import verify_csrf
from openiop.web.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False)
