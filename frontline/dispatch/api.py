"""API for campaigns, working groups, deployments, needs and matching runs."""

from ninja import Router

router = Router(tags=["dispatch"])
