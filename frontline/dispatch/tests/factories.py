"""Factories for dispatch rows (tests only)."""

from datetime import date
from typing import Any

from frontline.core.models import User
from frontline.dispatch.models import Campaign, DeploymentRole, PostNeed
from frontline.dispatch.services import CampaignData, PostNeedData, campaign_create, post_need_create
from frontline.org.models import Unit
from frontline.posts.models import Post


def role(code: str) -> DeploymentRole:
    return DeploymentRole.objects.get(code=code)


def make_campaign(
    name: str = "干部素质提升年",
    *,
    unit: Unit,
    actor: User | None = None,
    targets: dict[str, int] | None = None,
    **fields: Any,
) -> Campaign:
    data = CampaignData(
        name=name,
        organizing_unit=unit,
        start_date=fields.pop("start_date", date(2025, 3, 1)),
        end_date=fields.pop("end_date", date(2025, 12, 31)),
        status=fields.pop("status", "active"),
        targets=targets or {},
        **fields,
    )
    return campaign_create(actor=actor, data=data)


def make_need(post: Post, *, role_code: str, actor: User | None = None, **fields: Any) -> PostNeed:
    return post_need_create(actor=actor, post=post, data=PostNeedData(role=role(role_code), **fields))
