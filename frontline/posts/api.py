"""API for frontline posts.

Reads go through the selectors (out of scope → 404), writes through the services (invalid input →
400 with `errors` by field, a stale `version` → 409, no edit permission → 403).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.core.access import access_for
from frontline.core.models import User
from frontline.org.selectors import get_region
from frontline.posts.models import Post
from frontline.posts.selectors import get_post_for_user, post_children, post_list
from frontline.posts.services import PostData, post_create, post_delete, post_update

router = Router(tags=["posts"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _editor(request: HttpRequest) -> User:
    user = _user(request)
    if not access_for(user).can_edit:
        raise HttpError(403, _("您的角色无权编辑一线阵地。"))
    return user


class PostOut(Schema):
    id: int
    kind: str
    name: str
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    parent_id: int | None
    address: str
    latitude: float | None
    longitude: float | None
    is_key: bool
    description: str
    uscc: str
    industry: str
    size: str
    investment: Decimal | None
    stage: str
    planned_start: date | None
    actual_start: date | None
    households: int | None
    version: int
    updated_at: datetime


class PostIn(Schema):
    kind: str
    name: str
    region_code: str = Field(..., description="12 位区划代码或其前缀，如 420222103")
    unit_id: int
    parent_id: int | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_key: bool = False
    description: str = ""
    uscc: str = ""
    industry: str = ""
    size: str = ""
    investment: Decimal | None = Field(None, description="万元")
    stage: str = ""
    planned_start: date | None = None
    actual_start: date | None = None
    households: int | None = None

    def to_data(self) -> PostData:
        return PostData(**self.model_dump())


class PostUpdateIn(PostIn):
    version: int = Field(..., description="the `version` read with the post; a stale one gives 409")


@router.get("", response=list[PostOut])
@paginate(LimitOffsetPagination)
def posts(
    request: HttpRequest,
    kind: str = "",
    q: str = "",
    unit: int | None = None,
    region: str = "",
    is_key: bool | None = None,
) -> Any:
    """List the posts within your scope; `region` (a code or prefix) selects its whole subtree."""
    region_obj = None
    if region:
        region_obj = get_region(region)
        if region_obj is None:
            return Post.objects.none()
    return post_list(user=_user(request), q=q, kind=kind, region=region_obj, unit_id=unit, is_key=is_key)


@router.post("", response={201: PostOut})
def post_new(request: HttpRequest, payload: PostIn) -> Status[Any]:
    """Create a post; field errors come back as 400 with `errors` by field."""
    user = _editor(request)
    post = post_create(actor=user, data=payload.to_data())
    return Status(201, get_post_for_user(user=user, pk=post.pk))


@router.get("/{int:post_id}", response=PostOut)
def post_detail(request: HttpRequest, post_id: int) -> Post:
    """Return one post (404 when it is outside your scope)."""
    return get_post_for_user(user=_user(request), pk=post_id)


@router.put("/{int:post_id}", response=PostOut)
def post_change(request: HttpRequest, post_id: int, payload: PostUpdateIn) -> Post:
    """Replace a post's fields; send the `version` you read (409 when someone saved in between)."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    _editor(request)
    data = PostIn(**payload.model_dump(exclude={"version"})).to_data()
    post_update(actor=user, post=post, data=data, expected_version=payload.version)
    return get_post_for_user(user=user, pk=post_id)


@router.delete("/{int:post_id}", response={204: None})
def post_remove(request: HttpRequest, post_id: int, version: int | None = None) -> Status[None]:
    """Delete a post without children or attached records; `version` (optional) guards against stale deletes."""
    user = _user(request)
    post = get_post_for_user(user=user, pk=post_id)
    _editor(request)
    post_delete(actor=user, post=post, expected_version=version)
    return Status(204, None)


@router.get("/{int:post_id}/children", response=list[PostOut])
@paginate(LimitOffsetPagination)
def post_children_list(request: HttpRequest, post_id: int) -> Any:
    """List the sub-projects, grids or buildings of a post."""
    user = _user(request)
    return post_children(user=user, post=get_post_for_user(user=user, pk=post_id))
