"""Reads of cadres that depend on who asks: every page, API endpoint, export and search uses these."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from frontline.cadres.models import Cadre
from frontline.core.access import unit_scope_q
from frontline.core.crypto import keyed_hash
from frontline.core.models import User


def cadre_scope_q(user: User) -> Q:
    """Return the filter for cadres within the user's data scope."""
    return unit_scope_q(user, unit_field="home_unit", own_q=Q(user_id=user.pk) | Q(created_by_id=user.pk))


def cadre_list(
    *,
    user: User,
    q: str = "",
    unit_id: int | None = None,
    tag: str = "",
    rank: int | None = None,
    political_status: str = "",
    full_time_eligible: bool | None = None,
) -> QuerySet[Cadre]:
    """Return the cadres the user may see, filtered.

    `q` matches the name, pinyin initials ("zwq"), full pinyin, the home unit's name, an
    expertise tag, or — typed in full — an ID number or phone number (by keyed hash).
    """
    qs = Cadre.objects.filter(cadre_scope_q(user)).select_related("home_unit")
    q = q.strip()
    if q:
        term = q.lower().replace(" ", "")
        match = (
            Q(name__icontains=q)
            | Q(name_initials__startswith=term)
            | Q(name_pinyin__startswith=term)
            | Q(home_unit__name__icontains=q)
            | Q(expertise__name=q)
        )
        if len(q) == 18 or len(q) == 11:
            match |= Q(id_number_hash=keyed_hash(q)) | Q(phone_hash=keyed_hash(q))
        qs = qs.filter(pk__in=Cadre.objects.filter(match).values("pk"))
    if unit_id:
        qs = qs.filter(home_unit_id=unit_id)
    if tag:
        qs = qs.filter(pk__in=Cadre.objects.filter(expertise__name=tag).values("pk"))
    if rank:
        qs = qs.filter(rank=rank)
    if political_status:
        qs = qs.filter(political_status=political_status)
    if full_time_eligible is not None:
        qs = qs.filter(full_time_eligible=full_time_eligible)
    return qs


def get_cadre_for_user(*, user: User, pk: int) -> Cadre:
    """Return the cadre or raise 404 when it is outside the user's scope."""
    return get_object_or_404(cadre_list(user=user).prefetch_related("expertise"), pk=pk)
