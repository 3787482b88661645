"""API for cadres."""

from ninja import Router

router = Router(tags=["cadres"])
