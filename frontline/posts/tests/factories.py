"""Test data for posts: valid USCCs and the input of a create or update."""

from typing import Any

from frontline.core.idcodes import CodeError, uscc_check_char, validate_uscc
from frontline.posts.models import Post, PostKind
from frontline.posts.services import PostData


def make_uscc(n: int) -> str:
    """Return the n-th valid Unified Social Credit Code of a Yangxin county enterprise."""
    for digit in "0123456789":
        first17 = f"9142022200{n:06d}{digit}"
        code = first17 + uscc_check_char(first17)
        try:
            return validate_uscc(code)
        except CodeError:
            continue
    raise AssertionError(f"no valid USCC for {n}")


def post_data(*, kind: str = PostKind.ENTERPRISE, name: str = "大冶特钢", unit_id: int, **fields: Any) -> PostData:
    """Return the input of a post in 韦源口镇; enterprises get a fresh valid USCC unless one is given."""
    if kind == PostKind.ENTERPRISE:
        fields.setdefault("uscc", make_uscc(fields.pop("uscc_n", 1)))
    fields.setdefault("region_code", "420222103")
    return PostData(kind=kind, name=name, unit_id=unit_id, **fields)


def data_of(post: Post, **changes: Any) -> PostData:
    """Return the input that would save `post` as it is, with `changes` applied."""
    values: dict[str, Any] = {
        name: getattr(post, name)
        for name in (
            "kind",
            "name",
            "address",
            "latitude",
            "longitude",
            "is_key",
            "description",
            "uscc",
            "industry",
            "size",
            "investment",
            "stage",
            "planned_start",
            "actual_start",
            "households",
        )
    }
    values |= {"region_code": post.region_id, "unit_id": post.unit_id, "parent_id": post.parent_id}
    return PostData(**(values | changes))
