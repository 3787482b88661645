"""Reads of the reserve pool, promotions and merits that depend on who asks.

A row is visible when its cadre is within the user's scope (`cadre_scope_q`); anything else is a
404, in pages, the API and exports alike.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.models import User
from frontline.talent.models import Merit, Promotion, ReservePoolEntry


def _scoped_cadre_ids(user: User) -> QuerySet[Cadre, Any]:
    return Cadre.objects.filter(cadre_scope_q(user)).values("pk")


def reserve_entry_list(
    *,
    user: User,
    status: str = "",
    basis: str = "",
    q: str = "",
    cadre_id: int | None = None,
    unit_id: int | None = None,
) -> QuerySet[ReservePoolEntry]:
    """Return the reserve-pool entries of the cadres the user may see, filtered, newest first."""
    qs = ReservePoolEntry.objects.filter(cadre__in=_scoped_cadre_ids(user)).select_related(
        "cadre", "cadre__home_unit", "campaign", "nominated_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    if basis:
        qs = qs.filter(basis=basis)
    if q:
        qs = qs.filter(Q(cadre__name__icontains=q) | Q(cadre__home_unit__name__icontains=q) | Q(reason__icontains=q))
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if unit_id:
        qs = qs.filter(cadre__home_unit_id=unit_id)
    return qs


def get_reserve_entry_for_user(*, user: User, pk: int) -> ReservePoolEntry:
    """Return the entry or raise 404 when its cadre is outside the user's scope."""
    return get_object_or_404(reserve_entry_list(user=user), pk=pk)


def promotion_list(
    *, user: User, kind: str = "", q: str = "", cadre_id: int | None = None, year: int | None = None
) -> QuerySet[Promotion]:
    qs = Promotion.objects.filter(cadre__in=_scoped_cadre_ids(user)).select_related(
        "cadre", "cadre__home_unit", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(cadre__name__icontains=q)
            | Q(to_position__icontains=q)
            | Q(decision_body__icontains=q)
            | Q(cadre__home_unit__name__icontains=q)
        )
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if year:
        qs = qs.filter(effective_on__year=year)
    return qs


def get_promotion_for_user(*, user: User, pk: int) -> Promotion:
    return get_object_or_404(promotion_list(user=user), pk=pk)


def merit_list(
    *, user: User, kind: str = "", q: str = "", cadre_id: int | None = None, year: int | None = None
) -> QuerySet[Merit]:
    qs = Merit.objects.filter(cadre__in=_scoped_cadre_ids(user)).select_related(
        "cadre", "cadre__home_unit", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(cadre__name__icontains=q)
            | Q(title__icontains=q)
            | Q(awarding_body__icontains=q)
            | Q(cadre__home_unit__name__icontains=q)
        )
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    if year:
        qs = qs.filter(awarded_on__year=year)
    return qs


def get_merit_for_user(*, user: User, pk: int) -> Merit:
    return get_object_or_404(merit_list(user=user), pk=pk)
