"""Reads of regions and units that depend on who asks."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.core.access import access_for
from frontline.core.models import DataScope, User
from frontline.org.models import LEVEL_PREFIX_LENGTH, Region, Unit


def unit_list(*, user: User, q: str = "", kind: str = "", parent_id: int | None = None) -> QuerySet[Unit]:
    """Return the units the user may see: their own unit and, with a subtree scope, everything below."""
    access = access_for(user)
    qs = Unit.objects.select_related("region", "parent")
    if access.scope == DataScope.SUBTREE:
        qs = qs.filter(path__startswith=access.unit_path)
    elif access.scope in (DataScope.NODE, DataScope.OWN):
        qs = qs.filter(pk=access.unit_id) if access.unit_id else qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    return qs


def unit_parent_choices(*, user: User, unit: Unit | None = None) -> QuerySet[Unit]:
    """Return the units that may become the parent of `unit` (or of a new unit) for this user.

    That is the user's scope without the unit's own subtree (no cycles), plus the unit's current
    parent so that renaming the root of one's own scope keeps its parent.
    """
    scoped = unit_list(user=user)
    if unit is None:
        return scoped
    allowed = Q(pk__in=scoped.exclude(path__startswith=unit.path).values("pk"))
    if unit.parent_id is not None:
        allowed |= Q(pk=unit.parent_id)
    return Unit.objects.filter(allowed).select_related("region")


def get_unit_for_user(*, user: User, pk: int) -> Unit:
    """Return the unit or raise 404 when it is outside the user's scope."""
    return get_object_or_404(unit_list(user=user), pk=pk)


def normalize_region_code(code: str) -> str | None:
    """Return a 12-digit code from a full code or a prefix ("420222103" → "420222103000"), or None."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) > 12 or len(code) < 2:
        return None
    return code.ljust(12, "0")


def get_region(code: str) -> Region | None:
    """Return the region with this code or prefix, or None when there is none."""
    code12 = normalize_region_code(code)
    return Region.objects.filter(code=code12).first() if code12 else None


def region_list(*, q: str = "", parent_code: str | None = None, level: int | None = None) -> QuerySet[Region]:
    """Return regions. The division tree is public reference data, readable by every signed-in user."""
    qs = Region.objects.all()
    if parent_code == "":
        qs = qs.filter(parent=None)
    elif parent_code is not None:
        parent12 = normalize_region_code(parent_code)
        qs = qs.filter(parent_id=parent12) if parent12 else qs.none()
    if level is not None:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs


def region_subtree(region: Region) -> QuerySet[Region]:
    """Return the region and everything below it, by code prefix."""
    return Region.objects.filter(code__startswith=region.prefix, level__gte=region.level)


def region_ancestors(region: Region) -> list[Region]:
    """Return the chain from the province down to the region's parent."""
    codes = [region.code[: LEVEL_PREFIX_LENGTH[level]].ljust(12, "0") for level in range(1, region.level)]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
