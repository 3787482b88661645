"""Helpers that turn configurable conflict-of-interest rules into forbidden pairs.

Most conflicts compare one key of the cadre with one key of the post: the community the cadre
lives in and the community a post serves; the cadre's home unit and the unit that regulates an
enterprise. The caller looks the keys up and passes them here; the result goes into
`Rules.forbidden`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping


def same_key_conflicts(
    cadre_keys: Mapping[int, Hashable | None],
    post_keys: Mapping[int, Hashable | None],
    reason: str,
) -> dict[tuple[int, int], str]:
    """Forbid every (cadre, post) pair whose keys are equal (None never matches)."""
    by_key: dict[Hashable, list[int]] = {}
    for post_id, key in post_keys.items():
        if key is not None:
            by_key.setdefault(key, []).append(post_id)
    return {
        (cadre_id, post_id): reason
        for cadre_id, key in cadre_keys.items()
        if key is not None
        for post_id in by_key.get(key, ())
    }


def merge_forbidden(*parts: Mapping[tuple[int, int], str] | Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Merge forbidden-pair mappings (a bare set of pairs gets a generic reason); the first reason wins."""
    out: dict[tuple[int, int], str] = {}
    for part in parts:
        items = part.items() if isinstance(part, Mapping) else ((pair, "回避规则") for pair in part)
        for pair, why in items:
            out.setdefault(pair, why)
    return out
