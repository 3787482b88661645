"""API for regions and units."""

from ninja import Router

router = Router(tags=["organization"])
