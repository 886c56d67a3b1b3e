"""Where the LP and the best plan disagree: the part of the week worth solving again first.

The LP relaxation is nearly whole on realistic weeks: it puts almost every appointment, fully,
on one option of zero reduced cost. Making it whole (greedy.rounded) leaves a handful of
appointments elsewhere, and the cost of the plan above the bound comes from them and from
whatever they displaced. So a small CP-SAT model that frees just those appointments, the same
patients' other appointments and every appointment booked with the same staff member on a
day the LP would put them — and keeps the rest of the plan as it is — usually finds a plan close
to the bound in a fraction of a second, far sooner than a search over the whole week does.
The full rounds that follow start from it and only need to confirm it.
"""

from __future__ import annotations

from openiop.scheduling.candidates import Catalogue, Option
from openiop.scheduling.problem import DAY, Appointment
from openiop.scheduling.relaxation import Relaxation

SURE = 0.999  # an LP value this close to 1 counts as whole


def _placed_at(cat: Catalogue, best: list[Appointment]) -> list[tuple | None]:
    where = {a.request: (a.staff, a.start, a.telehealth) for a in best}
    return [where.get(r.id) for r in cat.requests]


def troubled(cat: Catalogue, lp: Relaxation, best: list[Appointment]) -> set[int]:
    """Requests the LP is unsure of, or that the plan does not hold at a zero-priced option."""
    placed = _placed_at(cat, best)
    out = set()
    for i, (opts, reduced, values) in enumerate(
        zip(cat.options, lp.reduced, lp.values, strict=True)
    ):
        if not opts:
            continue
        mine = [d for o, d in zip(opts, reduced, strict=True) if placed[i] == _key(o)]
        if not mine or mine[0] > 1e-6 or values.max() < SURE:
            out.add(i)
    return out


def _key(o: Option) -> tuple:
    return (o.staff, o.start, o.telehealth)


def neighbourhood(
    cat: Catalogue, lp: Relaxation, best: list[Appointment], selected: list[list[Option]]
) -> list[list[Option]] | None:
    """The selection with everything outside the neighbourhood pinned to where the plan has
    it (an empty list: the request stays unplaced); None when there is nothing to free."""
    free = troubled(cat, lp, best)
    if not free:
        return None
    days = {  # where the LP would like them
        (o.staff, o.start // DAY)
        for i in free
        for o, v in zip(cat.options[i], lp.values[i], strict=True)
        if v > 1e-6
    }
    patients = {cat.requests[i].patient for i in free}
    placed = _placed_at(cat, best)
    pinned: list[list[Option]] = []
    for i, opts in enumerate(selected):
        mine = [o for o in opts if placed[i] == _key(o)]
        near = cat.requests[i].patient in patients or any(
            (o.staff, o.start // DAY) in days for o in mine
        )
        pinned.append(opts if i in free or near else mine)
    return pinned
