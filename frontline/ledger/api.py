"""API for visits, problems, their workflow, public intake and the three lists."""

from ninja import Router

router = Router(tags=["ledger"])
